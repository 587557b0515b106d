//! Charts drawn by the server as inline SVG, so that pages need no script, no chart library and
//! nothing from the internet. We write this small module ourselves because bar charts are all we
//! draw, and the crates that draw them render whole images rather than markup that the
//! stylesheet can colour and screen readers can read.
//!
//! It only does geometry: where each bar, grid line and label goes in a fixed box that the SVG
//! scales to the page's width. Colours come from the classes (`chart-bar`, `chart-axis`…) in
//! `app.css`, so the tenant's branding restyles them; `templates/chart.html` writes the markup,
//! escaped, with the figures again as a table for those who cannot see the bars.
//!
//! Values are whole numbers (counts, or money in minor units) and positions are worked out in
//! 128-bit integers, so that no `i64` overflows or loses its order on the way to a pixel.

/// One bar: what it stands for and its value.
#[derive(Debug, Clone)]
pub struct Datum {
    /// The full name, for the table and the bar's tooltip.
    pub name: String,
    /// What the axis writes under or beside the bar: the name, or a short form of it.
    pub label: String,
    /// A second line under a column's label (the year under January), or empty.
    pub sublabel: String,
    pub value: i64,
    /// The value as the reader writes it.
    pub value_text: String,
}

impl Datum {
    pub fn new(name: String, value: i64, value_text: String) -> Datum {
        Datum {
            label: shortened(&name),
            name,
            sublabel: String::new(),
            value,
            value_text,
        }
    }

    /// Writes `label` (and `sublabel` beneath it) on the axis instead of the name.
    pub fn labelled(mut self, label: String, sublabel: String) -> Datum {
        self.label = label;
        self.sublabel = sublabel;
        self
    }
}

/// What a chart says about itself and its axes, in the reader's language.
pub struct Captions {
    /// Unique on the page: the SVG's title and description are named by it.
    pub id: &'static str,
    pub title: String,
    pub description: String,
    /// What the bars stand for ("Month", "Dealer").
    pub category_axis: String,
    /// What their length measures ("Net value, ₽").
    pub value_axis: String,
}

pub struct Rect {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    pub class: &'static str,
    pub title: String,
}

pub struct Line {
    pub x1: i64,
    pub y1: i64,
    pub x2: i64,
    pub y2: i64,
    pub class: &'static str,
}

pub struct Text {
    pub x: i64,
    pub y: i64,
    /// `start`, `middle` or `end`.
    pub anchor: &'static str,
    pub class: &'static str,
    /// Written upwards, as a vertical axis's label.
    pub upright: bool,
    pub text: String,
}

/// A chart ready for `templates/chart.html`.
pub struct Chart {
    pub captions: Captions,
    pub width: i64,
    pub height: i64,
    pub bars: Vec<Rect>,
    pub lines: Vec<Line>,
    pub texts: Vec<Text>,
    /// The figures, name and value, for the table beside the picture.
    pub rows: Vec<(String, String)>,
}

impl Chart {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

const WIDTH: i64 = 640;
/// Ticks a value axis aims at; nice steps make it between about three and seven.
const TICKS: i128 = 5;
/// How wide an axis label may be, in widths of a Latin letter; longer ones are cut, with the
/// whole name in the tooltip and the table.
const LABEL_WIDTH: usize = 24;

/// Chinese, Japanese and Korean characters take about two Latin letters' width.
fn width_of(character: char) -> usize {
    match u32::from(character) {
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 => 2,
        _ => 1,
    }
}

fn shortened(name: &str) -> String {
    if name.chars().map(width_of).sum::<usize>() <= LABEL_WIDTH {
        return name.to_owned();
    }
    let mut short = String::new();
    let mut width = 0;
    for character in name.chars() {
        width += width_of(character);
        if width > LABEL_WIDTH - 1 {
            break;
        }
        short.push(character);
    }
    short.push('…');
    short
}

/// A linear map from values to positions along one axis. Its range runs over whole steps of
/// 1, 2 or 5 times a power of ten (and never less than `unit`), and always includes zero, so
/// that bars grow from a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scale {
    low: i128,
    high: i128,
    step: i128,
    /// Where `low` and `high` go: `from` may lie after `to`, as on a vertical axis.
    from: i64,
    to: i64,
}

impl Scale {
    fn new(values: impl Iterator<Item = i64>, unit: i64, from: i64, to: i64) -> Scale {
        let (least, most) = values.fold((0_i128, 0_i128), |(least, most), value| {
            (least.min(i128::from(value)), most.max(i128::from(value)))
        });
        let step = nice_step(most - least, i128::from(unit.max(1)));
        let low = least.div_euclid(step) * step;
        let mut high = -((-most).div_euclid(step)) * step;
        if high == low {
            high = low + step;
        }
        Scale {
            low,
            high,
            step,
            from,
            to,
        }
    }

    fn position(&self, value: i128) -> i64 {
        let span = i128::from(self.to) - i128::from(self.from);
        let offset = divide_rounding(span * (value - self.low), self.high - self.low);
        i64::try_from(i128::from(self.from) + offset).unwrap_or(self.to)
    }

    /// The values of the ticks from low to high, those an `i64` can hold.
    fn ticks(&self) -> Vec<i64> {
        let mut ticks = Vec::new();
        let mut tick = self.low;
        while tick <= self.high {
            if let Ok(tick) = i64::try_from(tick) {
                ticks.push(tick);
            }
            tick += self.step;
        }
        ticks
    }
}

/// The smallest of 1, 2 or 5 times a power of ten times `unit` that cuts `span` into at most
/// about [`TICKS`] steps.
fn nice_step(span: i128, unit: i128) -> i128 {
    let wanted = (span + TICKS - 1) / TICKS;
    let mut power = unit;
    loop {
        for multiple in [1, 2, 5] {
            if multiple * power >= wanted {
                return multiple * power;
            }
        }
        power *= 10;
    }
}

/// `numerator / denominator` rounded half away from zero.
fn divide_rounding(numerator: i128, denominator: i128) -> i128 {
    if denominator == 0 {
        return 0;
    }
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if 2 * remainder.abs() >= denominator.abs() {
        quotient + numerator.signum() * denominator.signum()
    } else {
        quotient
    }
}

/// Columns side by side, values upwards: figures over time, or over a few buckets. `unit` is
/// the smallest step between ticks (100 for money in kopecks: whole roubles), and `tick_text`
/// writes a tick's value.
pub fn columns(captions: Captions, data: &[Datum], unit: i64, tick_text: impl Fn(i64) -> String) -> Chart {
    const LEFT: i64 = 80;
    const RIGHT: i64 = 12;
    const TOP: i64 = 12;
    const PLOT: i64 = 200;
    const HEIGHT: i64 = TOP + PLOT + 64;
    let bottom = TOP + PLOT;
    let scale = Scale::new(data.iter().map(|d| d.value), unit, bottom, TOP);
    let mut lines = Vec::new();
    let mut texts = Vec::new();
    for tick in scale.ticks() {
        let y = scale.position(i128::from(tick));
        lines.push(Line {
            x1: LEFT,
            y1: y,
            x2: WIDTH - RIGHT,
            y2: y,
            class: "chart-grid",
        });
        texts.push(Text {
            x: LEFT - 6,
            y: y + 4,
            anchor: "end",
            class: "chart-tick",
            upright: false,
            text: tick_text(tick),
        });
    }
    let zero = scale.position(0);
    let slot = (WIDTH - LEFT - RIGHT) / i64::try_from(data.len().max(1)).unwrap_or(1);
    let bar_width = (slot * 7 / 10).max(1);
    let mut bars = Vec::new();
    for (index, datum) in (0_i64..).zip(data) {
        let x = LEFT + index * slot + (slot - bar_width) / 2;
        let top = scale.position(i128::from(datum.value));
        bars.push(Rect {
            x,
            y: top.min(zero),
            width: bar_width,
            height: (top - zero).abs(),
            class: bar_class(datum.value),
            title: format!("{}: {}", datum.name, datum.value_text),
        });
        let middle = x + bar_width / 2;
        texts.push(Text {
            x: middle,
            y: bottom + 18,
            anchor: "middle",
            class: "chart-label",
            upright: false,
            text: datum.label.clone(),
        });
        if !datum.sublabel.is_empty() {
            texts.push(Text {
                x: middle,
                y: bottom + 34,
                anchor: "middle",
                class: "chart-label",
                upright: false,
                text: datum.sublabel.clone(),
            });
        }
        // Wide columns have room for their figure; narrow ones leave it to the table.
        if slot >= 100 {
            texts.push(Text {
                x: middle,
                y: top.min(zero) - 4,
                anchor: "middle",
                class: "chart-value",
                upright: false,
                text: datum.value_text.clone(),
            });
        }
    }
    lines.push(Line {
        x1: LEFT,
        y1: zero,
        x2: WIDTH - RIGHT,
        y2: zero,
        class: "chart-axis",
    });
    texts.push(Text {
        x: 14,
        y: TOP + PLOT / 2,
        anchor: "middle",
        class: "chart-axis-label",
        upright: true,
        text: captions.value_axis.clone(),
    });
    texts.push(Text {
        x: LEFT + (WIDTH - LEFT - RIGHT) / 2,
        y: HEIGHT - 6,
        anchor: "middle",
        class: "chart-axis-label",
        upright: false,
        text: captions.category_axis.clone(),
    });
    Chart {
        captions,
        width: WIDTH,
        height: HEIGHT,
        bars,
        lines,
        texts,
        rows: table_rows(data),
    }
}

/// Bars one under another, values to the right: a ranking, largest first as given.
pub fn bars(captions: Captions, data: &[Datum], unit: i64, tick_text: impl Fn(i64) -> String) -> Chart {
    const LEFT: i64 = 184;
    const RIGHT: i64 = 128;
    const TOP: i64 = 24;
    const ROW: i64 = 28;
    const BAR: i64 = 18;
    let rows = i64::try_from(data.len().max(1)).unwrap_or(1);
    let bottom = TOP + rows * ROW;
    let height = bottom + 48;
    let scale = Scale::new(data.iter().map(|d| d.value), unit, LEFT, WIDTH - RIGHT);
    let mut lines = Vec::new();
    let mut texts = Vec::new();
    for tick in scale.ticks() {
        let x = scale.position(i128::from(tick));
        lines.push(Line {
            x1: x,
            y1: TOP,
            x2: x,
            y2: bottom,
            class: "chart-grid",
        });
        texts.push(Text {
            x,
            y: bottom + 16,
            anchor: "middle",
            class: "chart-tick",
            upright: false,
            text: tick_text(tick),
        });
    }
    let zero = scale.position(0);
    let mut bars = Vec::new();
    for (index, datum) in (0_i64..).zip(data) {
        let y = TOP + index * ROW + (ROW - BAR) / 2;
        let end = scale.position(i128::from(datum.value));
        bars.push(Rect {
            x: end.min(zero),
            y,
            width: (end - zero).abs(),
            height: BAR,
            class: bar_class(datum.value),
            title: format!("{}: {}", datum.name, datum.value_text),
        });
        texts.push(Text {
            x: LEFT - 8,
            y: y + BAR - 4,
            anchor: "end",
            class: "chart-label",
            upright: false,
            text: datum.label.clone(),
        });
        texts.push(Text {
            x: end.max(zero) + 6,
            y: y + BAR - 4,
            anchor: "start",
            class: "chart-value",
            upright: false,
            text: datum.value_text.clone(),
        });
    }
    lines.push(Line {
        x1: zero,
        y1: TOP,
        x2: zero,
        y2: bottom,
        class: "chart-axis",
    });
    texts.push(Text {
        x: LEFT - 8,
        y: TOP - 8,
        anchor: "end",
        class: "chart-axis-label",
        upright: false,
        text: captions.category_axis.clone(),
    });
    texts.push(Text {
        x: LEFT + (WIDTH - RIGHT - LEFT) / 2,
        y: height - 8,
        anchor: "middle",
        class: "chart-axis-label",
        upright: false,
        text: captions.value_axis.clone(),
    });
    Chart {
        captions,
        width: WIDTH,
        height,
        bars,
        lines,
        texts,
        rows: table_rows(data),
    }
}

fn bar_class(value: i64) -> &'static str {
    if value < 0 {
        "chart-bar chart-bar-negative"
    } else {
        "chart-bar"
    }
}

fn table_rows(data: &[Datum]) -> Vec<(String, String)> {
    data.iter().map(|d| (d.name.clone(), d.value_text.clone())).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn captions() -> Captions {
        Captions {
            id: "test",
            title: "Orders".into(),
            description: "Orders per month".into(),
            category_axis: "Month".into(),
            value_axis: "Orders".into(),
        }
    }

    fn data(values: &[i64]) -> Vec<Datum> {
        values
            .iter()
            .enumerate()
            .map(|(index, value)| Datum::new(format!("item {index}"), *value, value.to_string()))
            .collect()
    }

    #[test]
    fn a_scale_rounds_out_to_nice_steps_and_starts_at_zero() {
        let scale = Scale::new([3, 47, 12].into_iter(), 1, 0, 100);
        assert_eq!((scale.low, scale.high, scale.step), (0, 50, 10));
        assert_eq!(scale.ticks(), vec![0, 10, 20, 30, 40, 50]);
        assert_eq!(scale.position(25), 50);
        assert_eq!(scale.position(50), 100);
    }

    #[test]
    fn money_ticks_never_step_below_the_unit() {
        // 3.50 roubles in kopecks: ticks stay on whole roubles.
        let scale = Scale::new([350].into_iter(), 100, 0, 100);
        assert_eq!(scale.step, 100);
        assert_eq!(scale.ticks(), vec![0, 100, 200, 300, 400]);
        let large = Scale::new([123_456_789].into_iter(), 100, 0, 100);
        assert_eq!(large.step, 50_000_000);
        assert_eq!(large.high, 150_000_000);
    }

    #[test]
    fn a_vertical_scale_runs_upwards() {
        let scale = Scale::new([10].into_iter(), 1, 200, 0);
        assert_eq!(scale.position(0), 200);
        assert_eq!(scale.position(10), 0);
        assert_eq!(scale.position(5), 100);
    }

    #[test]
    fn columns_share_the_width_and_stand_on_the_baseline() {
        let chart = columns(captions(), &data(&[10, 20, 0, 40]), 1, |v| v.to_string());
        assert_eq!(chart.bars.len(), 4);
        let baseline = chart.bars[0].y + chart.bars[0].height;
        for bar in &chart.bars {
            assert_eq!(bar.y + bar.height, baseline, "every column stands on zero");
            assert!(bar.x >= 80 && bar.x + bar.width <= WIDTH - 12);
        }
        assert_eq!(chart.bars[1].height, 2 * chart.bars[0].height);
        assert_eq!(chart.bars[3].height, 4 * chart.bars[0].height);
        assert_eq!(chart.bars[2].height, 0);
        assert!(chart.bars.windows(2).all(|pair| pair[0].x < pair[1].x));
        assert_eq!(chart.rows.len(), 4);
    }

    #[test]
    fn no_data_or_all_zero_draws_flat_bars_on_a_scale_of_one_step() {
        let chart = columns(captions(), &data(&[0, 0, 0]), 100, |v| v.to_string());
        assert!(chart.bars.iter().all(|bar| bar.height == 0));
        let ticks: Vec<&str> = chart
            .texts
            .iter()
            .filter(|t| t.class == "chart-tick")
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(ticks, vec!["0", "100"]);
        let empty = bars(captions(), &[], 1, |v| v.to_string());
        assert!(empty.bars.is_empty() && empty.is_empty());
        assert!(empty.height > 0);
    }

    #[test]
    fn one_value_fills_the_scale_it_rounds_out_to() {
        let chart = bars(captions(), &data(&[7]), 1, |v| v.to_string());
        assert_eq!(chart.bars.len(), 1);
        let bar = &chart.bars[0];
        assert_eq!(bar.x, 184, "the bar starts at zero");
        // 7 on a scale of 0 to 8 (steps of 2) over 328 units.
        assert_eq!(bar.width, 287);
    }

    #[test]
    fn negative_values_hang_from_zero_the_other_way() {
        let chart = columns(captions(), &data(&[30, -10]), 1, |v| v.to_string());
        let (up, down) = (&chart.bars[0], &chart.bars[1]);
        assert_eq!(up.y + up.height, down.y, "both meet at zero");
        assert_eq!(up.height, 3 * down.height);
        assert!(down.class.contains("chart-bar-negative"));
        let ticks: Vec<i64> = Scale::new([30, -10].into_iter(), 1, 0, 100).ticks();
        assert_eq!(ticks, vec![-10, 0, 10, 20, 30]);
    }

    #[test]
    fn the_largest_values_neither_overflow_nor_leave_the_box() {
        let chart = bars(captions(), &data(&[i64::MAX, i64::MIN, 1]), 1, |v| v.to_string());
        for bar in &chart.bars {
            assert!(
                bar.x >= 184 && bar.x + bar.width <= WIDTH - 128,
                "{} {}",
                bar.x,
                bar.width
            );
        }
        assert!(chart.bars[0].width > 0 && chart.bars[1].width > 0);
        let scale = Scale::new([i64::MAX].into_iter(), 1, 0, 1000);
        assert!(scale.high >= i128::from(i64::MAX));
        assert_eq!(
            scale.ticks().len(),
            5,
            "0 to 8e18; the tick at 1e19 is past i64 and left out"
        );
        assert_eq!(scale.position(i128::from(i64::MAX)), 922);
    }

    #[test]
    fn long_names_are_cut_on_the_axis_by_their_width_and_kept_whole_in_the_table() {
        let latin = Datum::new("ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_owned(), 1, "1".into());
        assert_eq!(latin.label, "ABCDEFGHIJKLMNOPQRSTUVW…");
        assert_eq!(
            Datum::new("BS-0001 · Baikal".to_owned(), 1, "1".into()).label,
            "BS-0001 · Baikal"
        );
        let name = "SH-QINGQUAN · 上海清泉贸易有限公司";
        let datum = Datum::new(name.to_owned(), 1, "1".into());
        assert_eq!(
            datum.label, "SH-QINGQUAN · 上海清泉…",
            "each character as wide as two letters"
        );
        let chart = bars(captions(), &[datum], 1, |v| v.to_string());
        assert_eq!(chart.rows[0].0, name);
        assert!(chart.bars[0].title.starts_with(name));
    }
}
