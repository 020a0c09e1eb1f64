//! `GET /metrics` and the HTTP metrics, on the real `App` over mocked use
//! cases: requests are counted under their route template and status,
//! whatever the path's ids; paths no route serves and unknown methods
//! share one bounded label each; the body is Prometheus text, read by a
//! strict parser of the exposition format written here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use support::{a_task, send, store_down};
use trm_api::AppState;
use trm_domain::EntityKind;
use trm_service::{MockTaskUseCases, ServiceError};
use uuid::Uuid;

/// One sample line.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A parsed exposition: each family's type, and the samples in order.
#[derive(Debug, Default)]
struct Exposition {
    types: HashMap<String, String>,
    samples: Vec<Sample>,
}

impl Exposition {
    /// The value of the one sample named `name` whose labels include
    /// `labels`, if there is one (more than one is a failure: the labels
    /// would be ambiguous).
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let matching: Vec<f64> = self
            .samples
            .iter()
            .filter(|sample| sample.name == name)
            .filter(|sample| {
                labels.iter().all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(value))
            })
            .map(|sample| sample.value)
            .collect();
        assert!(matching.len() <= 1, "{name} {labels:?} matches {} samples", matching.len());
        matching.first().copied()
    }
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_value(text: &str) -> Result<f64, String> {
    match text {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => text.parse().map_err(|_| format!("bad value {text:?}")),
    }
}

/// Reads `{name="value",…}`, returning the labels and the rest of the line.
fn parse_labels(mut rest: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    rest = rest.strip_prefix('{').ok_or("no `{`")?;
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let (name, after) = rest.split_once("=\"").ok_or("a label without `=\"`")?;
        if !is_label_name(name) {
            return Err(format!("bad label name {name:?}"));
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next().ok_or("an unterminated label value")? {
                (i, '"') => break i,
                (_, '\\') => match chars.next().ok_or("a dangling escape")?.1 {
                    'n' => value.push('\n'),
                    escaped @ ('\\' | '"') => value.push(escaped),
                    other => return Err(format!("bad escape \\{other}")),
                },
                (_, c) => value.push(c),
            }
        };
        if labels.insert(name.to_owned(), value).is_some() {
            return Err(format!("label {name} repeated"));
        }
        rest = &after[end + 1..];
        if let Some(next) = rest.strip_prefix(',') {
            rest = next;
        } else if !rest.starts_with('}') {
            return Err("a label value followed by neither `,` nor `}`".to_owned());
        }
    }
}

/// Parses the Prometheus text format (0.0.4) strictly: every line is a
/// `# HELP`, a `# TYPE` or a sample of a family whose type came before.
fn parse(text: &str) -> Result<Exposition, String> {
    let mut exposition = Exposition::default();
    for line in text.lines() {
        let error = |problem: String| format!("{problem} in {line:?}");
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("HELP"), Some(name), Some(_)) if is_metric_name(name) => {}
                (Some("TYPE"), Some(name), Some(kind))
                    if is_metric_name(name)
                        && ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) =>
                {
                    if exposition.types.insert(name.to_owned(), kind.to_owned()).is_some() {
                        return Err(error("a second TYPE".into()));
                    }
                }
                _ => return Err(error("a bad comment".into())),
            }
            continue;
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| error("no value".into()))?;
        let name = &line[..name_end];
        if !is_metric_name(name) {
            return Err(error(format!("bad name {name:?}")));
        }
        let (labels, rest) = if line[name_end..].starts_with('{') {
            parse_labels(&line[name_end..]).map_err(error)?
        } else {
            (BTreeMap::new(), &line[name_end..])
        };
        let value = rest.strip_prefix(' ').ok_or_else(|| error("no space before the value".into()))?;
        let value = parse_value(value).map_err(error)?;
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .filter_map(|suffix| name.strip_suffix(suffix))
            .find(|family| exposition.types.get(*family).is_some_and(|kind| kind == "histogram"))
            .unwrap_or(name);
        if !exposition.types.contains_key(family) {
            return Err(error("a sample without a TYPE".into()));
        }
        exposition.samples.push(Sample { name: name.to_owned(), labels, value });
    }
    Ok(exposition)
}

#[test]
fn the_parser_of_these_tests_rejects_what_it_should() {
    let good = "# HELP a_total A.\n# TYPE a_total counter\na_total{route=\"/x/{uid}\",q=\"\\\"\"} 1\n";
    assert_eq!(parse(good).unwrap().value("a_total", &[("route", "/x/{uid}"), ("q", "\"")]), Some(1.0));
    for bad in [
        "a_total 1\n",
        "# TYPE a_total counter\na_total{route=\"/x} 1\n",
        "# TYPE a_total counter\na_total{1x=\"y\"} 1\n",
        "# TYPE a_total counter\na_total one\n",
        "# TYPE a_total kounter\n",
        "# TYPE a_total counter\na_total{a=\"1\",a=\"2\"} 1\n",
        "# TYPE a_total counter\na_total{a=\"1\"b=\"2\"} 1\n",
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
}

/// `GET /metrics` on an app over `state`: checks the answer and parses it.
async fn scrape(state: &AppState) -> (String, Exposition) {
    let answer = send(state.clone(), TestRequest::get().uri("/metrics")).await;
    assert_eq!(answer.status.as_u16(), 200);
    assert_eq!(answer.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let text = answer.text();
    let exposition = parse(&text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    (text, exposition)
}

/// Sends `request` to an app over `state` (every app over one state shares
/// its metrics) and answers the status.
async fn status(state: &AppState, request: TestRequest) -> u16 {
    send(state.clone(), request).await.status.as_u16()
}

/// A task use case that finds exactly one task.
fn one_task(id: Uuid) -> AppState {
    let mut tasks = MockTaskUseCases::new();
    tasks.expect_get_task().returning(move |asked| {
        if *asked.as_uuid() == id { Ok(a_task()) } else { Err(ServiceError::NotFound(EntityKind::Task)) }
    });
    AppState { tasks: Arc::new(tasks), ..store_down() }
}

#[actix_web::test]
async fn requests_are_counted_under_their_route_template_and_status_never_their_path() {
    let known = Uuid::new_v4();
    let unknown = [Uuid::new_v4(), Uuid::new_v4()];
    let state = one_task(known);

    assert_eq!(status(&state, TestRequest::get().uri(&format!("/api/v1/tasks/{known}"))).await, 200);
    for id in unknown {
        assert_eq!(status(&state, TestRequest::get().uri(&format!("/api/v1/tasks/{id}"))).await, 404);
    }

    let (text, metrics) = scrape(&state).await;
    let requests = |status| {
        metrics.value(
            "trm_http_requests_total",
            &[("method", "GET"), ("route", "/api/v1/tasks/{uid}"), ("status", status)],
        )
    };
    assert_eq!(requests("200"), Some(1.0), "{text}");
    assert_eq!(requests("404"), Some(2.0), "{text}");
    let timed = metrics
        .value("trm_http_request_duration_seconds_count", &[("method", "GET"), ("route", "/api/v1/tasks/{uid}")]);
    assert_eq!(timed, Some(3.0), "{text}");
    for id in [known, unknown[0], unknown[1]] {
        assert!(!text.contains(&id.to_string()), "a raw path reached a label: {text}");
    }
}

#[actix_web::test]
async fn paths_no_route_serves_share_one_bounded_label() {
    let state = store_down();
    for _ in 0..3 {
        let path = format!("/no/such/{}", Uuid::new_v4());
        assert_eq!(status(&state, TestRequest::get().uri(&path)).await, 404);
    }

    let (text, metrics) = scrape(&state).await;
    let unmatched =
        metrics.value("trm_http_requests_total", &[("method", "GET"), ("route", "unmatched"), ("status", "404")]);
    assert_eq!(unmatched, Some(3.0), "{text}");
    assert!(!text.contains("/no/such"), "a raw path reached a label: {text}");
}

#[actix_web::test]
async fn unknown_methods_share_one_bounded_label() {
    let state = store_down();
    for method in ["BREW", "PROPFIND"] {
        let request = TestRequest::default().method(Method::from_bytes(method.as_bytes()).unwrap()).uri("/livez");
        assert_eq!(status(&state, request).await, 405);
    }

    let (text, metrics) = scrape(&state).await;
    let other =
        metrics.value("trm_http_requests_total", &[("method", "OTHER"), ("route", "/livez"), ("status", "405")]);
    assert_eq!(other, Some(2.0), "{text}");
    assert!(!text.contains("BREW") && !text.contains("PROPFIND"), "{text}");
}

#[actix_web::test]
async fn a_collection_without_its_trailing_slash_counts_under_its_canonical_template() {
    let state = store_down();
    assert_eq!(status(&state, TestRequest::get().uri("/api/v1/tasks")).await, 503);
    assert_eq!(status(&state, TestRequest::get().uri("/api/v1/tasks/")).await, 503);

    let (text, metrics) = scrape(&state).await;
    assert_eq!(metrics.value("trm_http_requests_total", &[("route", "/api/v1/tasks/"), ("status", "503")]), Some(2.0));
    assert!(!text.contains(r#"route="/api/v1/tasks""#), "{text}");
}

#[actix_web::test]
async fn an_event_stream_is_counted_once_its_head_is_sent_while_it_stays_open() {
    let state = store_down();
    // `send` returns at the stream's head and does not read the endless body.
    assert_eq!(status(&state, TestRequest::get().uri("/api/v1/events")).await, 200);

    let (text, metrics) = scrape(&state).await;
    assert_eq!(metrics.value("trm_http_requests_total", &[("route", "/api/v1/events"), ("status", "200")]), Some(1.0));
    assert_eq!(
        metrics.value("trm_http_request_duration_seconds_count", &[("route", "/api/v1/events")]),
        Some(1.0),
        "{text}"
    );
}

#[actix_web::test]
async fn the_exposition_types_its_families_and_the_latency_histogram_is_complete() {
    let state = store_down();
    assert_eq!(status(&state, TestRequest::get().uri("/livez")).await, 200);

    let (text, metrics) = scrape(&state).await;
    assert_eq!(metrics.types["trm_http_requests_total"], "counter");
    assert_eq!(metrics.types["trm_http_request_duration_seconds"], "histogram");
    let labels = [("method", "GET"), ("route", "/livez")];
    let buckets: Vec<(f64, f64)> = metrics
        .samples
        .iter()
        .filter(|sample| {
            sample.name == "trm_http_request_duration_seconds_bucket" && sample.labels["route"] == "/livez"
        })
        .map(|sample| (parse_value(&sample.labels["le"]).unwrap(), sample.value))
        .collect();
    assert!(buckets.len() > 10, "{text}");
    assert!(buckets.windows(2).all(|pair| pair[0].0 < pair[1].0 && pair[0].1 <= pair[1].1), "cumulative: {text}");
    assert_eq!(buckets.last().copied(), Some((f64::INFINITY, 1.0)), "{text}");
    assert_eq!(metrics.value("trm_http_request_duration_seconds_count", &labels), Some(1.0), "{text}");
    assert!(metrics.value("trm_http_request_duration_seconds_sum", &labels).is_some_and(|sum| sum >= 0.0), "{text}");
}

#[actix_web::test]
async fn the_metrics_of_one_app_are_not_those_of_another() {
    let first = store_down();
    let second = store_down();
    assert_eq!(status(&first, TestRequest::get().uri("/livez")).await, 200);

    let (_, metrics) = scrape(&second).await;
    assert_eq!(metrics.value("trm_http_requests_total", &[("route", "/livez")]), None);
}

#[actix_web::test]
async fn every_application_metric_is_named_trm_and_the_standard_process_metrics_are_served() {
    let state = store_down();
    assert_eq!(status(&state, TestRequest::get().uri("/livez")).await, 200);

    let (text, metrics) = scrape(&state).await;
    for sample in &metrics.samples {
        assert!(sample.name.starts_with("trm_") || sample.name.starts_with("process_"), "{}: {text}", sample.name);
    }
    #[cfg(target_os = "linux")]
    {
        assert_eq!(metrics.types["process_cpu_seconds_total"], "counter", "{text}");
        for gauge in [
            "process_resident_memory_bytes",
            "process_virtual_memory_bytes",
            "process_open_fds",
            "process_max_fds",
            "process_start_time_seconds",
        ] {
            assert_eq!(metrics.types[gauge], "gauge", "{gauge}: {text}");
            assert!(metrics.value(gauge, &[]).is_some_and(|value| value > 0.0), "{gauge}: {text}");
        }
    }
}
