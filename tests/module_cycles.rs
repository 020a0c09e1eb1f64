//! No crate of the workspace has a cycle between its top-level modules.
//!
//! A crate's top-level modules are its rooms: when `routes` needs
//! `handlers`, `handlers` needs `metrics` and `metrics` needs `routes`, none
//! of the three can be read, tested or moved without the others, and the
//! layering the crate graph enforces between crates is lost inside one. The
//! compiler allows such cycles, so this test forbids them.
//!
//! It reads every crate root of every workspace member (`src/lib.rs`,
//! `src/main.rs`, `src/bin/*.rs`), takes the modules each declares with
//! `mod name;` as its top-level modules, and finds in each module's files
//! the paths that lead to another of them: `crate::x…`, `super::…` climbing
//! out of the module, and `crate::Name` where the root re-exports `Name`
//! from `x` (`pub use x::Name`). Comments and string literals are skipped,
//! and `super` inside an inline `mod tests { … }` climbs from that inline
//! module. A cycle fails the test, naming each dependency in it with the
//! file and line that makes it.
//!
//! Run alone with `cargo test --workspace --test module_cycles`.

// Tests state their expectations with `unwrap`: a failure is the report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A token of Rust source, as far as module paths need: identifiers, `::`,
/// braces, commas and semicolons; everything else is `Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semicolon,
    /// `$`, so that `$crate` (a macro's own crate) is told apart.
    Dollar,
    Other,
}

/// The tokens of `source` with the line each starts on, comments, string
/// and character literals left out.
fn tokens(source: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(&chars, i + 1, 0, &mut line),
            'r' if matches!(next, Some('"' | '#')) && raw_string_start(&chars, i + 1).is_some() => {
                let (hashes, body) = raw_string_start(&chars, i + 1).unwrap_or((0, i + 1));
                i = skip_string(&chars, body, hashes, &mut line);
            }
            'b' if next == Some('"') => i = skip_string(&chars, i + 2, 0, &mut line),
            '\'' => {
                // A character literal ('a', '\n', '\u{1F600}', '"') or a
                // lifetime ('a), which is only an identifier after a quote.
                if next == Some('\\') {
                    // Past the quote, the backslash and the escaped character.
                    i += 3;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push((Token::Ident(chars[start..i].iter().collect()), line));
            }
            ':' if next == Some(':') => {
                out.push((Token::PathSep, line));
                i += 2;
            }
            '{' => push(&mut out, &mut i, Token::Open, line),
            '}' => push(&mut out, &mut i, Token::Close, line),
            ',' => push(&mut out, &mut i, Token::Comma, line),
            ';' => push(&mut out, &mut i, Token::Semicolon, line),
            '$' => push(&mut out, &mut i, Token::Dollar, line),
            _ => push(&mut out, &mut i, Token::Other, line),
        }
    }
    out
}

fn push(out: &mut Vec<(Token, usize)>, i: &mut usize, token: Token, line: usize) {
    out.push((token, line));
    *i += 1;
}

/// After an `r` at `start - 1`: the number of `#`s and the index of the
/// body, when this is a raw string.
fn raw_string_start(chars: &[char], start: usize) -> Option<(usize, usize)> {
    let mut i = start;
    while chars.get(i) == Some(&'#') {
        i += 1;
    }
    (chars.get(i) == Some(&'"')).then_some((i - start, i + 1))
}

/// The index after a string whose body starts at `i` and which a `"`
/// followed by `hashes` `#`s closes. `hashes` 0 is also how an ordinary
/// string is skipped, so backslash escapes count there (in a raw string
/// without hashes they cannot hide a `"` anyway).
fn skip_string(chars: &[char], mut i: usize, hashes: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' if hashes == 0 => i += 2,
            '"' if chars[i + 1..].iter().take(hashes).filter(|c| **c == '#').count() == hashes => {
                return i + 1 + hashes;
            }
            '\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// One module's need of another: `from` uses `to` at `file:line`.
#[derive(Debug, Clone)]
struct Dependency {
    from: String,
    to: String,
    at: String,
}

/// The modules a crate root declares with `mod name;` (not inline ones),
/// and the names it re-exports from each (`pub use x::{A, B as C}`).
fn root_declarations(root: &str) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let tokens = tokens(root);
    let mut modules = BTreeSet::new();
    let mut reexports = BTreeMap::new();
    let mut depth = 0;
    for (i, (token, _)) in tokens.iter().enumerate() {
        match token {
            Token::Open => depth += 1,
            Token::Close => depth -= 1,
            Token::Ident(word) if depth == 0 && word == "mod" => {
                if let (Some((Token::Ident(name), _)), Some((Token::Semicolon, _))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    modules.insert(name.clone());
                }
            }
            Token::Ident(word) if depth == 0 && word == "use" => {
                let Some((Token::Ident(module), _)) = tokens.get(i + 1) else { continue };
                let module = if module == "self" || module == "crate" {
                    match tokens.get(i + 3) {
                        Some((Token::Ident(name), _)) => name.clone(),
                        _ => continue,
                    }
                } else {
                    module.clone()
                };
                // Every name the statement brings in is the last identifier
                // before a `,`, `}` or `;` (after `as`, the new name).
                let mut last = None;
                for (token, _) in &tokens[i + 1..] {
                    match token {
                        Token::Ident(name) => last = Some(name.clone()),
                        Token::Comma | Token::Close | Token::Semicolon => {
                            if let Some(name) = last.take() {
                                reexports.entry(name).or_insert_with(|| module.clone());
                            }
                            if *token == Token::Semicolon {
                                break;
                            }
                        }
                        _ => last = None,
                    }
                }
            }
            _ => {}
        }
    }
    (modules, reexports)
}

/// The top-level modules that a file of module `path` (its module path
/// within the crate, the top-level module first) refers to, with the line
/// of each reference. `modules` are the crate's top-level modules,
/// `reexports` the root's re-exported names.
fn references(
    path: &[String],
    source: &str,
    modules: &BTreeSet<String>,
    reexports: &BTreeMap<String, String>,
) -> Vec<(String, usize)> {
    let tokens = tokens(source);
    let mut found = Vec::new();
    // Inline modules (`mod tests { … }`) open here: the brace depth at
    // which each closes.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    let ident = |i: usize| match tokens.get(i) {
        Some((Token::Ident(name), _)) => Some(name.as_str()),
        _ => None,
    };
    let is = |i: usize, token: Token| tokens.get(i).map(|(t, _)| t) == Some(&token);
    while i < tokens.len() {
        let line = tokens[i].1;
        match &tokens[i].0 {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "mod" && ident(i + 1).is_some() && is(i + 2, Token::Open) => {
                inline.push(depth);
            }
            Token::Ident(word)
                if (word == "crate" || word == "super" || word == "self")
                    && is(i + 1, Token::PathSep)
                    && !(i > 0 && is(i - 1, Token::Dollar))
                    && !(i > 0 && is(i - 1, Token::PathSep)) =>
            {
                // The module the path starts from, as a path from the root.
                let mut at: Vec<String> = path.to_vec();
                at.extend(std::iter::repeat_n(String::from("<inline>"), inline.len()));
                let mut j = i;
                match word.as_str() {
                    "crate" => {
                        at.clear();
                        j += 2;
                    }
                    "self" => j += 2,
                    _ => {
                        while ident(j) == Some("super") && is(j + 1, Token::PathSep) {
                            at.pop();
                            j += 2;
                        }
                    }
                }
                if !at.is_empty() {
                    // Still inside some module: its top-level module is the first.
                    i = j;
                    continue;
                }
                // From the root: the next segment, or each of a `{…}` group.
                let mut firsts = Vec::new();
                if is(j, Token::Open) {
                    let mut level = 0;
                    let mut expect_first = true;
                    let mut k = j;
                    while k < tokens.len() {
                        match &tokens[k].0 {
                            Token::Open => {
                                level += 1;
                                if level == 1 {
                                    expect_first = true;
                                }
                            }
                            Token::Close => {
                                level -= 1;
                                if level == 0 {
                                    break;
                                }
                            }
                            Token::Comma if level == 1 => expect_first = true,
                            Token::Ident(name) if level == 1 && expect_first => {
                                firsts.push(name.clone());
                                expect_first = false;
                            }
                            _ => {}
                        }
                        k += 1;
                    }
                } else if let Some(name) = ident(j) {
                    firsts.push(name.to_owned());
                }
                for name in firsts {
                    let target = if modules.contains(&name) { Some(name) } else { reexports.get(&name).cloned() };
                    if let Some(target) = target.filter(|t| modules.contains(t) && Some(t) != path.first()) {
                        found.push((target, line));
                    }
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return files };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The module path (top-level module first) of a file under a root's
/// module directory: `x.rs` and `x/mod.rs` are `x`, `x/y.rs` is `x::y`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_owned();
        if stem != "mod" {
            parts.push(stem);
        }
    }
    parts
}

/// The dependencies between the top-level modules of the crate whose root
/// file is `root`, whose modules live in `module_dir`.
fn crate_dependencies(workspace: &Path, root: &Path, module_dir: &Path) -> Vec<Dependency> {
    let (modules, reexports) = root_declarations(&fs::read_to_string(root).unwrap());
    let mut dependencies = Vec::new();
    for module in &modules {
        let mut files: Vec<PathBuf> = vec![module_dir.join(format!("{module}.rs"))];
        files.extend(rust_files(&module_dir.join(module)));
        for file in files.into_iter().filter(|file| file.is_file()) {
            let path = module_path(file.strip_prefix(module_dir).unwrap());
            let source = fs::read_to_string(&file).unwrap();
            for (to, line) in references(&path, &source, &modules, &reexports) {
                let shown = file.strip_prefix(workspace).unwrap_or(&file).display();
                dependencies.push(Dependency { from: module.clone(), to, at: format!("{shown}:{line}") });
            }
        }
    }
    dependencies
}

/// The cycles among `dependencies`: for each set of modules that all reach
/// one another, one cycle through them, as the dependencies that make it.
fn cycles(dependencies: &[Dependency]) -> Vec<Vec<Dependency>> {
    let mut graph: BTreeMap<&str, BTreeMap<&str, &Dependency>> = BTreeMap::new();
    for dependency in dependencies {
        graph.entry(&dependency.from).or_default().entry(&dependency.to).or_insert(dependency);
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(at) = stack.pop() {
            for next in graph.get(at).into_iter().flat_map(|edges| edges.keys()) {
                if *next == to {
                    return true;
                }
                if seen.insert(*next) {
                    stack.push(next);
                }
            }
        }
        false
    };
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let mut found = Vec::new();
    for &start in graph.keys() {
        if reported.contains(start) || !reaches(start, start) {
            continue;
        }
        // A shortest cycle back to `start` (breadth first).
        let mut previous: BTreeMap<&str, &Dependency> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        'search: while let Some(at) = queue.pop_front() {
            for (&next, &dependency) in graph.get(at).into_iter().flatten() {
                if next == start {
                    let mut cycle = vec![dependency.clone()];
                    let mut back = at;
                    while back != start {
                        let step = previous[back];
                        cycle.push(step.clone());
                        back = step.from.as_str();
                    }
                    cycle.reverse();
                    reported.extend(cycle.iter().map(|d| d.from.clone()));
                    found.push(cycle);
                    break 'search;
                }
                if !previous.contains_key(next) && next != start {
                    previous.insert(next, dependency);
                    queue.push_back(next);
                }
            }
        }
    }
    found
}

/// The crate roots of the workspace's members, each with the directory its
/// modules live in.
fn crate_roots(workspace: &Path) -> Vec<(PathBuf, PathBuf)> {
    let manifest = fs::read_to_string(workspace.join("Cargo.toml")).unwrap();
    let members = manifest.split("members = [").nth(1).and_then(|rest| rest.split(']').next()).unwrap_or_default();
    let mut roots = Vec::new();
    for member in members.split(',').map(|m| m.trim().trim_matches('"')).filter(|m| !m.is_empty()) {
        let src = workspace.join(member).join("src");
        for root in ["lib.rs", "main.rs"].map(|name| src.join(name)).into_iter().filter(|root| root.is_file()) {
            roots.push((root, src.clone()));
        }
        for bin in rust_files(&src.join("bin")) {
            let (root, dir) = match bin.file_name().and_then(|n| n.to_str()) {
                Some("main.rs") => (bin.clone(), bin.parent().unwrap().to_path_buf()),
                _ if bin.parent() == Some(&src.join("bin")) => (bin.clone(), bin.with_extension("")),
                _ => continue,
            };
            roots.push((root, dir));
        }
    }
    roots
}

#[test]
fn no_crate_has_a_cycle_between_its_top_level_modules() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let roots = crate_roots(workspace);
    assert!(roots.len() >= 6, "the workspace's crate roots were not found: {roots:?}");
    let mut report = Vec::new();
    for (root, module_dir) in &roots {
        for cycle in cycles(&crate_dependencies(workspace, root, module_dir)) {
            let shown = root.strip_prefix(workspace).unwrap_or(root).display();
            let steps: Vec<String> = cycle.iter().map(|d| format!("  {} → {} ({})", d.from, d.to, d.at)).collect();
            report.push(format!("{shown}:\n{}", steps.join("\n")));
        }
    }
    assert!(report.is_empty(), "cycles between top-level modules:\n{}", report.join("\n"));
}

#[test]
fn a_cycle_through_three_modules_is_found_and_named_step_by_step() {
    let modules: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let sources =
        [("a", "use crate::b::Thing;"), ("b", "pub fn f() { crate::c::g() }"), ("c", "use crate::{a, other};")];
    let mut dependencies = Vec::new();
    for (module, source) in sources {
        for (to, line) in references(&[module.to_owned()], source, &modules, &BTreeMap::new()) {
            dependencies.push(Dependency { from: module.to_owned(), to, at: format!("{module}.rs:{line}") });
        }
    }
    let found = cycles(&dependencies);
    assert_eq!(found.len(), 1, "{found:?}");
    let steps: Vec<(&str, &str)> = found[0].iter().map(|d| (d.from.as_str(), d.to.as_str())).collect();
    assert_eq!(steps, [("a", "b"), ("b", "c"), ("c", "a")]);
}

#[test]
fn paths_in_comments_strings_and_inner_modules_are_not_dependencies() {
    let modules: BTreeSet<String> = ["a", "b"].map(String::from).into();
    let source = r##"
        //! See [`crate::b`].
        /* crate::b::x */
        const TEXT: &str = "crate::b::x";
        const RAW: &str = r#"crate::b::"x""#;
        const QUOTE: char = '"';
        fn f<'a>(x: &'a str) -> &'a str { x }
        use super::helper;
        mod tests {
            use super::*;
            use super::super::a_sibling;
        }
    "##;
    let found = references(&["a".to_owned(), "inner".to_owned()], source, &modules, &BTreeMap::new());
    assert_eq!(found, []);
}

#[test]
fn climbing_out_of_a_module_or_using_a_root_reexport_is_a_dependency() {
    let modules: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let (declared, reexports) = root_declarations("mod a;\npub mod b;\nmod c;\npub use c::{Thing, Other as Renamed};");
    assert_eq!(declared, modules);
    let source = "use super::super::b::x;\nfn f() -> crate::Renamed { todo!() }\nuse crate::{self as me, Thing};";
    let found = references(&["a".to_owned(), "inner".to_owned()], source, &modules, &reexports);
    assert_eq!(found, [("b".to_owned(), 1), ("c".to_owned(), 2), ("c".to_owned(), 3)]);
}
