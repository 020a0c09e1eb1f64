//! A steady write load, and what became of every write.
//!
//! Each writer has its own client (so its own connection) and creates tasks
//! one after another, as fast as they are answered, until told to stop.
//! Every write is recognizable afterwards: its title is unique (the
//! scenario's tag, the writer, a sequence number), its description is
//! derived from its title, and it carries the scenario's tag and project —
//! so the audit ([`crate::audit`]) can tell a whole task from a half-done
//! one and match each stored task to the request that made it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// How one request ended.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// The server answered.
    Status {
        /// The HTTP status.
        code: u16,
        /// Whether it carried `Retry-After`.
        retry_after: bool,
        /// The created task's uid, for a 2xx.
        uid: Option<String>,
    },
    /// No answer: refused, reset or cut off (the text says which).
    Failed(String),
}

/// One write: what was sent, when, and how it ended.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// The task's unique title.
    pub(crate) title: String,
    /// When the request was sent.
    pub(crate) sent: Instant,
    /// When its answer (or failure) arrived.
    pub(crate) ended: Instant,
    /// How it ended.
    pub(crate) answer: Answer,
}

impl Outcome {
    /// The uid of an acknowledged (2xx) create.
    pub(crate) fn acknowledged(&self) -> Option<&str> {
        match &self.answer {
            Answer::Status { code: 200..=299, uid, .. } => uid.as_deref(),
            _ => None,
        }
    }

    /// Why there was no answer, when there was none.
    pub(crate) fn failure(&self) -> Option<&str> {
        match &self.answer {
            Answer::Failed(why) => Some(why),
            Answer::Status { .. } => None,
        }
    }

    /// The status, when the server answered.
    pub(crate) const fn status(&self) -> Option<u16> {
        match self.answer {
            Answer::Status { code, .. } => Some(code),
            Answer::Failed(_) => None,
        }
    }
}

/// The description every task of the load gets: derived from its title, so
/// a stored task with another one was not written whole.
pub(crate) fn description_of(title: &str) -> String {
    format!("written by the fault load as «{title}»")
}

/// The body creating the task titled `title`.
pub(crate) fn task_body(title: &str, project: &str, tag: &str) -> Value {
    json!({
        "title": title,
        "description": description_of(title),
        "project_id": project,
        "tags": [tag],
        "priority": 1,
    })
}

/// Writers creating tasks until stopped.
pub(crate) struct WriteLoad {
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Outcome>>>,
    writers: Vec<JoinHandle<()>>,
}

impl WriteLoad {
    /// Starts `writers` writers creating tasks in `project`, tagged `tag`,
    /// through the server at `base`.
    pub(crate) fn start(base: &str, writers: usize, project: &str, tag: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let writers = (0..writers)
            .map(|writer| {
                let (stop, log) = (Arc::clone(&stop), Arc::clone(&log));
                let (url, project, tag) = (format!("{base}/api/v1/tasks/"), project.to_owned(), tag.to_owned());
                tokio::spawn(async move {
                    let client = crate::scenario::client();
                    for n in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let title = format!("{tag} w{writer} #{n}");
                        let sent = Instant::now();
                        let answer = match client.post(&url).json(&task_body(&title, &project, &tag)).send().await {
                            Ok(response) => read_answer(response).await,
                            Err(error) => Answer::Failed(format!("{error:?}")),
                        };
                        // A client that is refused (no answer, or a 5xx) tries
                        // again soon, without spinning.
                        let refused = !matches!(answer, Answer::Status { code: 200..=299, .. });
                        log.lock().expect("the outcome log").push(Outcome {
                            title,
                            sent,
                            ended: Instant::now(),
                            answer,
                        });
                        if refused {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                })
            })
            .collect();
        Self { stop, log, writers }
    }

    /// The outcomes so far.
    pub(crate) fn outcomes(&self) -> Vec<Outcome> {
        self.log.lock().expect("the outcome log").clone()
    }

    /// Waits (up to a minute) until at least `count` writes were
    /// acknowledged: a cold store can be slow to answer the first ones.
    pub(crate) async fn wait_for_acknowledged(&self, count: usize) {
        for _ in 0..600 {
            if self.outcomes().iter().filter(|outcome| outcome.acknowledged().is_some()).count() >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("fewer than {count} writes were acknowledged within a minute");
    }

    /// Stops the writers, lets their last requests end, and returns every
    /// outcome.
    pub(crate) async fn stop(self) -> Vec<Outcome> {
        self.stop.store(true, Ordering::Relaxed);
        for writer in self.writers {
            writer.await.expect("a writer");
        }
        self.log.lock().expect("the outcome log").clone()
    }
}

async fn read_answer(response: reqwest::Response) -> Answer {
    let code = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    match response.json::<Value>().await {
        Ok(body) => Answer::Status { code, retry_after, uid: body["uid"].as_str().map(str::to_owned) },
        // Headers arrived but the body did not: not an answer to rely on.
        Err(error) if error.is_body() || (error.is_decode() && code < 300) => Answer::Failed(format!("{error:?}")),
        Err(_) => Answer::Status { code, retry_after, uid: None },
    }
}
