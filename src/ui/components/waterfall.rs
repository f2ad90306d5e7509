//! The integrity engine's evidence as a waterfall: the prior, one bar per compared attribute
//! starting where the running total ended, the total for the linked person and, when someone
//! else explains the record better, that person's weight. Server-rendered inline SVG (no
//! JavaScript), beside a table with the same rows that a screen reader reads: attribute,
//! comparison level, signed weight and running total, then the rules applied and the final
//! probability that the link is wrong. Colour is never the only cue: every bar carries its
//! signed value as text.

use crate::domain::linkage::Evidence;
use crate::i18n::I18n;
use crate::ui::context::use_i18n;
use leptos::prelude::*;

/// Chart width in viewBox units; the SVG scales to its container.
const W: f64 = 360.0;
/// Margin at either side, and room beside the plot for a value written next to a bar.
const PAD: f64 = 8.0;
const VALUE_ROOM: f64 = 44.0;
/// One line of label text, and a bar's height.
const LINE: f64 = 17.0;
const BAR_H: f64 = 14.0;
/// Space between rows.
const GAP: f64 = 8.0;
/// Height of the axis with its tick labels and title.
const AXIS_H: f64 = 44.0;

/// A weight in bits, signed, one decimal: `+3.2`, `−1.5` (a real minus sign), `0.0`.
pub fn signed_bits(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0.0".to_string()
    } else if r > 0.0 {
        format!("+{r:.1}")
    } else {
        format!("\u{2212}{:.1}", -r)
    }
}

/// A probability in percent with one decimal; the ends say "under 0.1 %" and "over 99.9 %"
/// rather than round to a certainty the engine does not claim.
pub fn percent(p: f64) -> String {
    if p >= 1.0 {
        "100%".to_string()
    } else if p <= 0.0 {
        "0%".to_string()
    } else if p >= 0.9995 {
        "> 99.9%".to_string()
    } else if p < 0.0005 {
        "< 0.1%".to_string()
    } else {
        format!("{:.1}%", p * 100.0)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Prior,
    Up,
    Down,
    Total,
    Rival,
}

impl Kind {
    fn class(self) -> &'static str {
        match self {
            Kind::Prior => "wf-bar wf-prior",
            Kind::Up => "wf-bar wf-up",
            Kind::Down => "wf-bar wf-down",
            Kind::Total => "wf-bar wf-total",
            Kind::Rival => "wf-bar wf-rival",
        }
    }
}

/// One bar of the chart and one row of the table.
struct Step {
    /// The row header: the attribute, or "prior", "total", "someone else".
    head: String,
    /// The comparison level, or a note on what the row is.
    detail: String,
    from: f64,
    to: f64,
    /// The signed weight shown as text.
    value: f64,
    /// The running total after this step; none for the rival (not part of the sum).
    running: Option<f64>,
    kind: Kind,
    /// Continues the running total of the step before (a connector is drawn).
    chained: bool,
}

fn steps(e: &Evidence, i18n: I18n) -> Vec<Step> {
    let mut out = vec![Step {
        head: i18n.t("engine.prior"),
        detail: i18n.t("engine.prior_note"),
        from: 0.0,
        to: e.prior_bits,
        value: e.prior_bits,
        running: Some(e.prior_bits),
        kind: Kind::Prior,
        chained: false,
    }];
    let mut run = e.prior_bits;
    for c in &e.contributions {
        let from = run;
        run += c.bits;
        out.push(Step {
            head: i18n.t(&format!("engine.attr.{}", c.attribute)),
            detail: i18n.t(&format!("engine.level.{}", c.level)),
            from,
            to: run,
            value: c.bits,
            running: Some(run),
            kind: if c.bits < 0.0 { Kind::Down } else { Kind::Up },
            chained: true,
        });
    }
    out.push(Step {
        head: i18n.t("engine.total"),
        detail: i18n.t("engine.total_note"),
        from: 0.0,
        to: e.own_bits,
        value: e.own_bits,
        running: Some(e.own_bits),
        kind: Kind::Total,
        chained: !e.contributions.is_empty(),
    });
    if let Some(r) = &e.rival {
        out.push(Step {
            head: i18n.t("engine.rival_short"),
            detail: rival_detail(r.household, r.unique, i18n),
            from: 0.0,
            to: r.bits,
            value: r.bits,
            running: None,
            kind: Kind::Rival,
            chained: false,
        });
    }
    out
}

/// Whether the rival is of the linked person's household, and whether it is the only one.
fn rival_facts(household: bool, unique: bool, i18n: I18n) -> String {
    i18n.tf(
        "engine.rival_facts",
        &[
            (
                "household",
                &i18n.t(if household {
                    "engine.rival_household"
                } else {
                    "engine.rival_other_household"
                }),
            ),
            (
                "unique",
                &i18n.t(if unique {
                    "engine.rival_unique"
                } else {
                    "engine.rival_tie"
                }),
            ),
        ],
    )
}

/// "Someone else explains the record better (household or not, unique or a tie)".
fn rival_detail(household: bool, unique: bool, i18n: I18n) -> String {
    i18n.tf(
        "engine.rival_detail",
        &[
            ("rival", &i18n.t("engine.rival")),
            ("facts", &rival_facts(household, unique, i18n)),
        ],
    )
}

/// A step of 1, 2 or 5 times a power of ten that cuts `span` into about four parts.
fn nice_step(span: f64) -> f64 {
    let raw = (span / 4.0).max(0.5);
    let mag = 10f64.powf(raw.log10().floor());
    let n = raw / mag;
    let m = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// The evidence as a waterfall chart beside its table. `id` keeps the ids of two charts on one
/// page apart.
#[component]
pub fn Waterfall(evidence: Evidence, #[prop(into)] id: String) -> impl IntoView {
    let i18n = use_i18n();
    let rows = steps(&evidence, i18n);

    // The scale: every bar end and zero, widened to whole ticks.
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for s in &rows {
        lo = lo.min(s.from.min(s.to));
        hi = hi.max(s.from.max(s.to));
    }
    let step = nice_step(hi - lo);
    lo = (lo / step).floor() * step;
    hi = (hi / step).ceil() * step;
    if hi - lo < step {
        hi = lo + step;
    }
    let left = PAD + VALUE_ROOM;
    let width = W - 2.0 * (PAD + VALUE_ROOM);
    let x = move |v: f64| left + (v - lo) / (hi - lo) * width;
    let f = |v: f64| format!("{v:.1}");

    // Bars, each under its label; the rival's label takes two lines.
    let mut y = GAP;
    let mut bars = Vec::new();
    let mut prev_end: Option<(f64, f64)> = None; // (x, y of the bar's bottom)
    for s in &rows {
        let label_lines: Vec<String> = match (s.kind, &evidence.rival) {
            (Kind::Rival, Some(r)) => vec![
                i18n.t("engine.rival_chart"),
                rival_facts(r.household, r.unique, i18n),
            ],
            (Kind::Up | Kind::Down, _) => vec![i18n.tf(
                "engine.row_label",
                &[("attribute", &s.head), ("level", &s.detail)],
            )],
            _ => vec![s.head.clone()],
        };
        let bar_y = y + LINE * label_lines.len() as f64 + 4.0;
        let (x0, x1) = (x(s.from.min(s.to)), x(s.from.max(s.to)));
        let w = (x1 - x0).max(1.5);
        let text_y = bar_y + BAR_H - 3.0;
        let value_text = signed_bits(s.value);
        let (vx, anchor) = if s.value < 0.0 {
            (x0 - 4.0, "end")
        } else {
            (x0 + w + 4.0, "start")
        };
        let connector = match (s.chained, prev_end) {
            (true, Some((px, py))) => Some(view! {
                <line
                    class="wf-connector"
                    x1=f(px)
                    y1=f(py)
                    x2=f(px)
                    y2=f(bar_y)
                />
            }),
            _ => None,
        };
        let labels = label_lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                view! {
                    <text class="wf-label" x=f(PAD) y=f(y + LINE * (i as f64 + 1.0) - 2.0)>
                        {l}
                    </text>
                }
            })
            .collect_view();
        bars.push(view! {
            <g>
                {connector}
                {labels}
                <rect class=s.kind.class() x=f(x0) y=f(bar_y) width=f(w) height=f(BAR_H) />
                <text class="wf-value" x=f(vx) y=f(text_y) text-anchor=anchor>
                    {value_text}
                </text>
            </g>
        });
        prev_end = Some((x(s.to), bar_y + BAR_H));
        y = bar_y + BAR_H + GAP;
    }
    let axis_y = y + 2.0;
    let height = axis_y + AXIS_H;
    let mut ticks = Vec::new();
    let mut t = lo;
    while t <= hi + step * 1e-6 {
        let tx = x(t);
        let label = if t.abs() < step * 1e-6 {
            "0".to_string()
        } else {
            signed_bits(t).trim_end_matches(".0").to_string()
        };
        ticks.push(view! {
            <line class="wf-tick" x1=f(tx) y1=f(axis_y) x2=f(tx) y2=f(axis_y + 4.0) />
            <text class="wf-tick-label" x=f(tx) y=f(axis_y + 16.0) text-anchor="middle">
                {label}
            </text>
        });
        t += step;
    }

    let summary = {
        let mut s = i18n.tf(
            "engine.summary",
            &[
                ("prior", &signed_bits(evidence.prior_bits)),
                ("total", &signed_bits(evidence.own_bits)),
                ("p", &percent(evidence.p_wrong)),
            ],
        );
        if let Some(r) = &evidence.rival {
            s.push(' ');
            s.push_str(&i18n.tf("engine.summary_rival", &[("bits", &signed_bits(r.bits))]));
        }
        s
    };
    let title_id = format!("{id}-chart-title");
    let labelled_by = title_id.clone();

    let body = rows
        .iter()
        .map(|s| {
            let class = match s.kind {
                Kind::Up => "wf-row-up",
                Kind::Down => "wf-row-down",
                Kind::Total => "wf-row-total",
                Kind::Rival => "wf-row-rival",
                Kind::Prior => "wf-row-prior",
            };
            view! {
                <tr class=class>
                    <th scope="row">{s.head.clone()}</th>
                    <td>{s.detail.clone()}</td>
                    <td class="num wf-bits">{signed_bits(s.value)}</td>
                    <td class="num">{s.running.map(signed_bits).unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();
    let rules = if evidence.rules.is_empty() {
        i18n.t("engine.no_rules")
    } else {
        evidence
            .rules
            .iter()
            .map(|r| i18n.t(&format!("scan_reason.{r}")))
            .collect::<Vec<_>>()
            .join(i18n.t("inspection.reason_separator").as_str())
    };

    view! {
        <div class="waterfall" id=id.clone()>
            <svg
                class="waterfall-chart"
                viewBox=format!("0 0 {W} {height:.1}")
                width="100%"
                role="img"
                aria-labelledby=labelled_by
                focusable="false"
            >
                <title id=title_id>{summary}</title>
                <line
                    class="wf-zero"
                    x1=f(x(0.0))
                    y1="0"
                    x2=f(x(0.0))
                    y2=f(axis_y)
                />
                {bars}
                <line class="wf-axis" x1=f(x(lo)) y1=f(axis_y) x2=f(x(hi)) y2=f(axis_y) />
                {ticks}
                <text class="wf-axis-title" x=f(W / 2.0) y=f(axis_y + 36.0) text-anchor="middle">
                    {i18n.t("engine.axis")}
                </text>
            </svg>
            <div
                class="table-wrap"
                tabindex="0"
                role="region"
                aria-label=i18n.t("engine.table_label")
            >
                <table class="waterfall-table">
                    <caption>{i18n.t("engine.caption")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t("engine.col.attribute")}</th>
                            <th scope="col">{i18n.t("engine.col.level")}</th>
                            <th scope="col">{i18n.t("engine.col.bits")}</th>
                            <th scope="col">{i18n.t("engine.col.running")}</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{i18n.t("engine.rules")}</th>
                            <td colspan="3">{rules}</td>
                        </tr>
                        <tr>
                            <th scope="row">{i18n.t("engine.p_wrong")}</th>
                            <td colspan="3" class="wf-p">{percent(evidence.p_wrong)}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_signed_with_one_decimal() {
        assert_eq!(signed_bits(3.24), "+3.2");
        assert_eq!(signed_bits(-1.46), "\u{2212}1.5");
        assert_eq!(signed_bits(-0.04), "0.0");
        assert_eq!(percent(0.973), "97.3%");
        assert_eq!(percent(0.99999), "> 99.9%");
        assert_eq!(percent(0.00001), "< 0.1%");
        assert_eq!(nice_step(40.0), 10.0);
        assert_eq!(nice_step(7.0), 2.0);
    }
}
