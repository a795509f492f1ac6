//! Which file of a crate imports which: the graph of file modules that
//! `crate::…` and `super::…` paths draw, and its circles.
//!
//! A node is one file (`a/mod.rs` and `a/b.rs` each their own). A path counts
//! wherever it stands in production code (a `use`, an expression, a type), not
//! in comments, literals or `#[cfg(test)]` items. It leads to the deepest file
//! module it names; a name that is no module is followed through the `use`
//! declarations of the module that holds it (`crate::Dossier` with `pub use
//! dossier::Dossier;` in `lib.rs` leads to `dossier.rs`; a glob `pub use x::*;`
//! is followed when `x` defines the name), else it is an item of that module's
//! file. A re-export of another crate's item is no edge. Paths relative to the
//! current module (`child::f()`, `self::child`) are a parent using what it
//! declares, and are not counted: only `crate::` and `super::` are.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::rust_text::RustText;

/// One import: `from` names something of `to` at `line` (files as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Edge {
    pub from: String,
    pub to: String,
    pub line: usize,
}

/// The imports between the files of the crate whose root is `root` (`lib.rs`,
/// `main.rs`), with `files` its source files (path under `src/` with `/`, text).
/// Files the root does not reach through `mod x;` declarations are left out.
pub(super) fn crate_edges(files: &BTreeMap<String, String>, root: &str) -> Vec<Edge> {
    let Some(krate) = Crate::load(files, root) else {
        return Vec::new();
    };
    let mut edges = Vec::new();
    for (from, module) in krate.modules.iter().enumerate() {
        for (offset, path) in references(&module.code, &module.path) {
            let Some(to) = krate.resolve(path, 0) else {
                continue;
            };
            if to != from {
                edges.push(Edge {
                    from: module.file.clone(),
                    to: krate.modules[to].file.clone(),
                    line: line_of(module.text, offset),
                });
            }
        }
    }
    edges.sort_by(|a, b| (&a.from, a.line, &a.to).cmp(&(&b.from, b.line, &b.to)));
    edges.dedup();
    edges
}

/// The circles of `edges`: each set of files that all reach one another
/// (a strongly connected component of two or more), sorted.
pub(super) fn circles(edges: &[Edge]) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in edges {
        next.entry(&e.from).or_default().insert(&e.to);
        next.entry(&e.to).or_default();
    }
    // Kosaraju: finishing order on the graph, then components on its reverse.
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    for &start in next.keys() {
        if !seen.insert(start) {
            continue;
        }
        let mut stack = vec![(start, next[start].iter())];
        while let Some((node, children)) = stack.last_mut() {
            match children.next() {
                Some(&child) => {
                    if seen.insert(child) {
                        stack.push((child, next[child].iter()));
                    }
                }
                None => {
                    order.push(*node);
                    stack.pop();
                }
            }
        }
    }
    let mut back: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (&from, tos) in &next {
        for &to in tos {
            back.entry(to).or_default().push(from);
        }
    }
    let mut placed = BTreeSet::new();
    let mut found = Vec::new();
    for &start in order.iter().rev() {
        if !placed.insert(start) {
            continue;
        }
        let mut component = vec![start.to_string()];
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &prev in back.get(node).into_iter().flatten() {
                if placed.insert(prev) {
                    component.push(prev.to_string());
                    stack.push(prev);
                }
            }
        }
        if component.len() > 1 {
            component.sort();
            found.push(component);
        }
    }
    found.sort();
    found
}

/// The imports inside `circle`: of each file to each other one, the first.
pub(super) fn inside<'e>(circle: &[String], edges: &'e [Edge]) -> Vec<&'e Edge> {
    let member = |f: &String| circle.contains(f);
    let mut found: Vec<&Edge> = Vec::new();
    for e in edges.iter().filter(|e| member(&e.from) && member(&e.to)) {
        if !found.iter().any(|f| f.from == e.from && f.to == e.to) {
            found.push(e);
        }
    }
    found
}

/// A file module: its file, its path from the crate root, and its production
/// code with what its top level declares.
struct Module<'a> {
    file: String,
    text: &'a str,
    path: Vec<String>,
    code: String,
    top: TopLevel,
}

/// What the top level of a module declares.
#[derive(Default)]
struct TopLevel {
    /// The names its `use` declarations bind, and where they lead.
    uses: HashMap<String, Target>,
    /// The modules of its glob imports (`use x::*;`), from the crate root.
    globs: Vec<Vec<String>>,
    /// The names of its items.
    items: BTreeSet<String>,
}

/// Where a name of a `use` declaration leads: a path from the crate root, or
/// another crate.
enum Target {
    Internal(Vec<String>),
    External,
}

struct Crate<'a> {
    modules: Vec<Module<'a>>,
    by_path: HashMap<Vec<String>, usize>,
}

impl<'a> Crate<'a> {
    fn load(files: &'a BTreeMap<String, String>, root: &str) -> Option<Self> {
        let mut krate = Crate {
            modules: Vec::new(),
            by_path: HashMap::new(),
        };
        let mut pending = vec![(root.to_string(), Vec::new())];
        while let Some((file, path)) = pending.pop() {
            let Some(text) = files.get(&file) else {
                continue;
            };
            let code = RustText::new(text).code().to_string();
            let dir = if file == root || file == "mod.rs" || file.ends_with("/mod.rs") {
                file.rsplit_once('/').map_or("", |(dir, _)| dir).to_string()
            } else {
                file.trim_end_matches(".rs").to_string()
            };
            for child in declared_files(&code) {
                let prefix = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                let flat = format!("{prefix}{child}.rs");
                let nested = format!("{prefix}{child}/mod.rs");
                let file = if files.contains_key(&flat) {
                    flat
                } else {
                    nested
                };
                let mut child_path = path.clone();
                child_path.push(child);
                pending.push((file, child_path));
            }
            krate.by_path.insert(path.clone(), krate.modules.len());
            krate.modules.push(Module {
                file,
                text,
                path,
                code,
                top: TopLevel::default(),
            });
        }
        // The top-level declarations, once every module's path is known.
        for n in 0..krate.modules.len() {
            krate.modules[n].top = krate.top_level(&krate.modules[n]);
        }
        (!krate.modules.is_empty()).then_some(krate)
    }

    /// What `module`'s top level binds with `use`, imports by glob, and defines.
    fn top_level(&self, module: &Module<'_>) -> TopLevel {
        let words = top_level_words(&module.code);
        let items: BTreeSet<String> = words
            .windows(2)
            .filter(|w| ITEM_KEYWORDS.contains(&w[0].1) || w[0].1 == "macro_rules")
            .map(|w| w[1].1.to_string())
            .collect();
        let mut uses = HashMap::new();
        let mut globs = Vec::new();
        for &(offset, word) in &words {
            if word != "use" {
                continue;
            }
            for (_, segments, alias) in tree_at(&module.code, offset + word.len()) {
                let target = self.absolute(&module.path, &segments, &items);
                match (segments.last().map(String::as_str), target) {
                    (Some("*"), Target::Internal(mut path)) => {
                        path.pop();
                        globs.push(path);
                    }
                    (Some("*"), Target::External) => {}
                    (Some(last), target) => {
                        uses.insert(alias.unwrap_or_else(|| last.to_string()), target);
                    }
                    (None, _) => {}
                }
            }
        }
        TopLevel { uses, globs, items }
    }

    /// A `use` path of the module at `from` as a path from the crate root.
    fn absolute(&self, from: &[String], segments: &[String], items: &BTreeSet<String>) -> Target {
        let Some(first) = segments.first() else {
            return Target::External;
        };
        match first.as_str() {
            "crate" => Target::Internal(segments[1..].to_vec()),
            "self" => Target::Internal([from, &segments[1..]].concat()),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                match from.len().checked_sub(ups) {
                    Some(keep) => {
                        Target::Internal([&from[..keep], &segments[ups..]].concat().to_vec())
                    }
                    None => Target::External,
                }
            }
            _ => {
                let mut child = from.to_vec();
                child.push(first.clone());
                if self.by_path.contains_key(&child) || items.contains(first) {
                    Target::Internal([from, segments].concat())
                } else {
                    Target::External
                }
            }
        }
    }

    /// The module whose file holds what `path` (from the crate root) names;
    /// `None` for another crate's item.
    fn resolve(&self, path: Vec<String>, depth: usize) -> Option<usize> {
        let mut at = self.by_path[&Vec::new()];
        for (n, segment) in path.iter().enumerate() {
            let mut child = self.modules[at].path.clone();
            child.push(segment.clone());
            if let Some(&module) = self.by_path.get(&child) {
                at = module;
                continue;
            }
            let top = &self.modules[at].top;
            if depth > 16 || segment == "*" || top.items.contains(segment) {
                return Some(at);
            }
            if let Some(target) = top.uses.get(segment) {
                return match target {
                    Target::External => None,
                    Target::Internal(to) => self.resolve([to, &path[n + 1..]].concat(), depth + 1),
                };
            }
            for glob in &top.globs {
                let defines = self.by_path.get(glob).is_some_and(|&g| {
                    let g = &self.modules[g].top;
                    g.items.contains(segment) || g.uses.contains_key(segment)
                });
                if defines {
                    return self.resolve([glob, &path[n..]].concat(), depth + 1);
                }
            }
            return Some(at);
        }
        Some(at)
    }
}

/// The keywords whose next word is the name of an item.
const ITEM_KEYWORDS: &[&str] = &[
    "fn", "struct", "enum", "trait", "type", "const", "static", "union", "mod",
];

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// The words of `code` outside any braces, with their offsets.
fn top_level_words(code: &str) -> Vec<(usize, &str)> {
    let bytes = code.as_bytes();
    let mut words = Vec::new();
    let (mut depth, mut i) = (0usize, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b if is_ident(b) => {
                let end = i + bytes[i..].iter().take_while(|&&b| is_ident(b)).count();
                if depth == 0 {
                    words.push((i, &code[i..end]));
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    words
}

/// The modules the top level of `code` declares from files (`mod x;`).
fn declared_files(code: &str) -> Vec<String> {
    top_level_words(code)
        .windows(2)
        .filter(|w| w[0].1 == "mod")
        .filter(|w| code[w[1].0 + w[1].1.len()..].trim_start().starts_with(';'))
        .map(|w| w[1].1.to_string())
        .collect()
}

/// The paths `crate::…` and `super::…` in `code` (of the module at `from`),
/// each as a path from the crate root, with its offset.
fn references(code: &str, from: &[String]) -> Vec<(usize, Vec<String>)> {
    let bytes = code.as_bytes();
    let starts = |offset: usize| offset == 0 || !is_ident(bytes[offset - 1]);
    let after_colons = |from: usize| {
        let rest = code[from..].trim_start().strip_prefix("::")?;
        Some(code.len() - rest.len())
    };
    let mut found = Vec::new();
    for (offset, _) in code.match_indices("crate") {
        let whole = bytes.get(offset + 5).is_none_or(|&b| !is_ident(b));
        if let (true, true, Some(at)) = (starts(offset), whole, after_colons(offset + 5)) {
            for (o, path, _) in tree_at(code, at) {
                found.push((o, path.into_iter().filter(|s| s != "self").collect()));
            }
        }
    }
    for (offset, _) in code.match_indices("super") {
        if !starts(offset) || code[..offset].trim_end().ends_with("::") {
            continue;
        }
        let (mut at, mut ups) = (offset, 0);
        while code[at..].starts_with("super") {
            match after_colons(at + 5) {
                Some(next) => {
                    ups += 1;
                    at = next + (code[next..].len() - code[next..].trim_start().len());
                }
                None => break,
            }
        }
        let Some(keep) = from.len().checked_sub(ups).filter(|_| ups > 0) else {
            continue;
        };
        for (o, path, _) in tree_at(code, at) {
            let path = path.into_iter().filter(|s| s != "self");
            found.push((o, from[..keep].iter().cloned().chain(path).collect()));
        }
    }
    found.sort();
    found
}

/// The paths of the use tree (or plain path) at `code[at..]`: one per leaf of
/// its `{…}` groups, each with the offset of its first segment and its alias
/// (`as x`). `self` in a group is the group's own path; a glob ends in `*`.
fn tree_at(code: &str, at: usize) -> Vec<(usize, Vec<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut i = at;
    tree(code.as_bytes(), code, &mut i, &[], &mut out);
    out
}

fn tree(
    bytes: &[u8],
    code: &str,
    i: &mut usize,
    prefix: &[String],
    out: &mut Vec<(usize, Vec<String>, Option<String>)>,
) {
    let skip_ws = |i: &mut usize| {
        while bytes.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    let word = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(|&b| is_ident(b) || b == b'*') {
            *i += 1;
        }
        code[start..*i].to_string()
    };
    skip_ws(i);
    if bytes.get(*i) == Some(&b'{') {
        *i += 1;
        loop {
            skip_ws(i);
            match bytes.get(*i) {
                None => return,
                Some(b'}') => {
                    *i += 1;
                    return;
                }
                Some(b',') => *i += 1,
                Some(_) => {
                    let before = *i;
                    tree(bytes, code, i, prefix, out);
                    if *i == before {
                        *i += 1;
                    }
                }
            }
        }
    }
    let start = *i;
    let name = word(i);
    if name.is_empty() {
        return;
    }
    let mut path = prefix.to_vec();
    if name != "self" || prefix.is_empty() {
        path.push(name);
    }
    let end = *i;
    skip_ws(i);
    if bytes[*i..].starts_with(b"::") {
        *i += 2;
        skip_ws(i);
        if bytes
            .get(*i)
            .is_some_and(|&b| is_ident(b) || b == b'*' || b == b'{')
        {
            tree(bytes, code, i, &path, out);
            return;
        }
    }
    *i = end;
    skip_ws(i);
    let mut alias = None;
    if bytes[*i..].starts_with(b"as") && bytes.get(*i + 2).is_some_and(u8::is_ascii_whitespace) {
        *i += 2;
        skip_ws(i);
        alias = Some(word(i)).filter(|a| !a.is_empty());
    } else {
        *i = end;
    }
    out.push((start, path, alias));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect()
    }

    fn edge(from: &str, to: &str, line: usize) -> Edge {
        Edge {
            from: from.into(),
            to: to.into(),
            line,
        }
    }

    #[test]
    fn imports_between_files_are_seen() {
        let krate = files(&[
            (
                "lib.rs",
                "mod a;\nmod b;\nmod c;\npub mod d;\n#[cfg(test)]\nmod t;\n\
                 pub use a::Alpha;\npub use c::*;\npub use std::fmt::Display as Shown;\n\
                 fn helper() {}\n",
            ),
            (
                "a.rs",
                "use crate::b::Beta;\nuse crate::Shown;\npub struct Alpha;\n",
            ),
            (
                "b.rs",
                "use super::Alpha;\n// use crate::c::Gamma;\n\
                 /// [`crate::c::Gamma`]\npub struct Beta;\n\
                 fn s() -> &'static str { \"crate::c::Gamma\" }\n\
                 #[cfg(test)]\nmod tests { use crate::c::Gamma; }\n",
            ),
            (
                "c.rs",
                "pub struct Gamma;\nfn f() { crate::d::e::run::<u8>(); }\n",
            ),
            ("d/mod.rs", "pub mod e;\n"),
            (
                "d/e.rs",
                "pub fn run<T>() {\n    let _ = crate::Gamma;\n    super::super::helper();\n}\n",
            ),
            ("t.rs", "use crate::a::Alpha;\n"),
            ("unused.rs", "use crate::a::Alpha;\n"),
        ]);
        let edges = crate_edges(&krate, "lib.rs");
        assert_eq!(
            edges,
            [
                edge("a.rs", "b.rs", 1),
                edge("b.rs", "a.rs", 1),
                edge("c.rs", "d/e.rs", 2),
                edge("d/e.rs", "c.rs", 2),
                edge("d/e.rs", "lib.rs", 3),
            ]
        );
        assert_eq!(
            circles(&edges),
            [vec!["a.rs", "b.rs"], vec!["c.rs", "d/e.rs"]]
        );
    }

    #[test]
    fn circles_are_found() {
        // x → y → z → x, z → w, w → w's own circle with v; u alone.
        let edges = [
            edge("x", "y", 1),
            edge("y", "z", 2),
            edge("z", "x", 3),
            edge("z", "w", 4),
            edge("w", "v", 5),
            edge("v", "w", 6),
            edge("u", "x", 7),
        ];
        let found = circles(&edges);
        assert_eq!(found, [vec!["v", "w"], vec!["x", "y", "z"]]);
        let lines: Vec<usize> = inside(&found[1], &edges).iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 3]);
        assert!(circles(&edges[..2]).is_empty());
    }
}
