//! Markdown pages of the rules, from their `rules/<id>.yaml` data: docs/rules/ and the help
//! that SARIF carries. Pure text in, text out; writing the files is the CLI's job.

use crate::catalog::RuleMeta;

/// First line of every generated page, so nobody edits the copy instead of the source.
pub fn generated_notice(source: &str) -> String {
    format!(
        "<!-- Generated from {source} by `halint docs --out docs/rules`. \
         Edit the rule data, not this page. -->"
    )
}

/// The page of one rule: `docs/rules/<id>.md`.
pub fn rule_page(meta: &RuleMeta) -> String {
    format!(
        "{}\n\n# `{}`\n\n{}",
        generated_notice(&format!("rules/{}.yaml", meta.id)),
        meta.id,
        rule_body(meta)
    )
}

/// Everything but the title: also the markdown help of the rule in SARIF.
pub fn rule_body(meta: &RuleMeta) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "**Default severity:** {} · **Applies to:** {}\n\n{}\n\n",
        meta.severity,
        meta.kinds.join(", "),
        meta.summary.trim()
    ));
    out.push_str(&format!("## Why it matters\n\n{}\n\n", meta.why.trim()));
    out.push_str(&format!("## How to fix\n\n{}\n\n", meta.fix.trim()));
    if !meta.options.is_empty() {
        out.push_str("## Options\n\n| option | default | meaning |\n|---|---|---|\n");
        for option in &meta.options {
            out.push_str(&format!(
                "| `{}` | `{}` | {} |\n",
                option.name,
                option.default,
                cell(&option.description)
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "## Flagged\n\n```yaml\n{}\n```\n\n",
        meta.examples.failing.trim_end()
    ));
    out.push_str(&format!(
        "## Passes\n\n```yaml\n{}\n```\n",
        meta.examples.passing.trim_end()
    ));
    out
}

/// docs/rules/README.md: every rule with its default severity and summary.
pub fn index(rules: &[RuleMeta]) -> String {
    let mut out = format!(
        "{}\n\n# Rules\n\nEach page says why the mistake matters, how to fix it, and shows a \
         manifest that is flagged and one that passes. `halint explain ID` prints the same \
         text.\n\n| rule | default | flags |\n|---|---|---|\n",
        generated_notice("rules/*.yaml")
    );
    for meta in rules {
        out.push_str(&format!(
            "| [`{id}`]({id}.md) | {} | {} |\n",
            meta.severity,
            cell(&meta.summary),
            id = meta.id
        ));
    }
    out
}

/// Every file of docs/rules/, as (file name, contents), rules sorted by id.
pub fn pages(rules: &[RuleMeta]) -> Vec<(String, String)> {
    let mut rules = rules.to_vec();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let mut pages: Vec<(String, String)> = rules
        .iter()
        .map(|m| (format!("{}.md", m.id), rule_page(m)))
        .collect();
    pages.push(("README.md".to_string(), index(&rules)));
    pages
}

/// Text fit for one markdown table cell.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    #[test]
    fn a_page_has_every_section_and_fenced_examples() {
        let meta = catalog::rule_meta("replicas").unwrap();
        let page = rule_page(meta);
        assert!(page.starts_with("<!-- Generated from rules/replicas.yaml"));
        for section in [
            "# `replicas`",
            "**Default severity:** error",
            "## Why it matters",
            "## How to fix",
            "## Options",
            "| `min` | `2` |",
            "## Flagged\n\n```yaml\napiVersion: apps/v1",
            "## Passes\n\n```yaml\n",
        ] {
            assert!(page.contains(section), "missing {section:?} in\n{page}");
        }
    }

    #[test]
    fn the_index_links_every_page_and_escapes_pipes() {
        let mut metas = catalog::all().to_vec();
        metas[0].summary = "a | b".to_string();
        let pages = pages(&metas);
        let (name, index) = pages.last().unwrap();
        assert_eq!(name, "README.md");
        for meta in catalog::all() {
            assert!(index.contains(&format!("[`{0}`]({0}.md)", meta.id)));
        }
        assert!(index.contains("a \\| b"));
        assert_eq!(pages.len(), metas.len() + 1);
    }
}
