// The court dashboard (智慧审判): the figures of /api/statistics as charts (Apache ECharts, served by
// the platform itself, drawn as SVG) and, for every chart, the same numbers as a table and as a CSV
// download; the risk warnings with the numbers behind them. Filters: period, range, court (the
// platform administrator), cause of action, own cases (a judge).
import { api, download } from "./ws-api.mjs";
import { badge, el, field, sayError, t, table, tx } from "./ws-dom.mjs";

const PERIOD_PATTERN = { month: "\\d{4}-(0[1-9]|1[0-2])", quarter: "\\d{4}-Q[1-4]", year: "\\d{4}" };
const COLORS = ["#1f5fa8", "#b5462f", "#3d7a3a", "#7a4fa0", "#8a6d1a"];

/** The label of the period `back` periods before now, in China time. */
function periodLabel(period, back = 0) {
  const d = new Date(Date.now() + 8 * 3600_000);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth() + 1;
  if (period === "year") return String(y - back);
  if (period === "quarter") {
    let q = Math.floor((m - 1) / 3) + 1 - back;
    while (q < 1) (q += 4), y--;
    return `${y}-Q${q}`;
  }
  m -= back;
  while (m < 1) (m += 12), y--;
  return `${y}-${String(m).padStart(2, "0")}`;
}

const pct = (s) => (s.share === null ? "—" : `${(s.share * 100).toFixed(1)}%`);
const shareCell = (s) => `${pct(s)} (${s.count}/${s.of})`;

let echartsModule = null;
const loadCharts = () => (echartsModule ??= import("../vendor/echarts.esm.min.mjs"));

/** A chart, drawn again in the page's language when it changes; disposed when the view is left. */
function chart(ctx, id, labelKey, option) {
  const box = el("div", { class: "ws-chart", id, role: "img", i18nLabel: labelKey });
  let instance = null;
  const draw = async () => {
    const echarts = await loadCharts();
    if (!ctx.alive() || !box.isConnected) return;
    instance ??= echarts.init(box, null, { renderer: "svg" });
    instance.setOption(option(), true);
    box.dataset.drawn = "true";
  };
  const langWatch = new MutationObserver(() => void draw());
  langWatch.observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  ctx.onLeave(() => {
    langWatch.disconnect();
    instance?.dispose();
  });
  queueMicrotask(() => void draw());
  return box;
}

const lineOption = (periods, series) => () => ({
  color: COLORS,
  animation: false,
  tooltip: { trigger: "axis" },
  legend: { top: 0 },
  grid: { left: 40, right: 16, top: 36, bottom: 28 },
  xAxis: { type: "category", data: periods },
  yAxis: { type: "value", minInterval: 1 },
  series: series.map(([key, data]) => ({ name: t(key), type: "line", data, symbolSize: 6 })),
});

const barOption = (names, values, { percent = false } = {}) => () => ({
  color: COLORS,
  animation: false,
  tooltip: { trigger: "axis" },
  grid: { left: 12, right: 24, top: 12, bottom: 12, containLabel: true },
  xAxis: { type: "value", ...(percent ? { max: 100, axisLabel: { formatter: "{value}%" } } : { minInterval: 1 }) },
  yAxis: { type: "category", data: names(), inverse: true },
  series: [{ type: "bar", data: values, label: { show: true, position: "right", ...(percent ? { formatter: "{c}%" } : {}) } }],
});

function csvButton(query, table, id) {
  return el(
    "button",
    { type: "button", class: "button small", "data-csv": table, id, onclick: () => void download(`statistics/measures.csv?${query}&table=${table}`, `statistics-${table}.csv`) },
    tx("stats.csv"),
  );
}

function section(id, titleKey, ...content) {
  return el("section", { class: "card ws-stats-card", "aria-labelledby": `${id}-title`, id }, el("h2", { id: `${id}-title` }, tx(titleKey)), ...content);
}

function render(ctx, root, m, query) {
  const periods = m.periods;
  const counts = (s) => s.map((x) => x.count);
  const service = m.service;
  const serviceRows = [
    ["stats.service.rate", service.rate],
    ["stats.service.coverage", service.coverage],
    ["stats.service.within1", service.receiptsWithin.days1],
    ["stats.service.within3", service.receiptsWithin.days3],
    ["stats.service.within7", service.receiptsWithin.days7],
  ];
  const durations = [
    ["stats.durations.toAcceptance", m.durations.filingToAcceptance],
    ["stats.durations.toClosing", m.durations.filingToClosing],
  ];
  const sections = [
    section(
      "stats-cases",
      "stats.cases.title",
      chart(ctx, "chart-cases", "stats.cases.title", lineOption(periods, [["stats.cases.filed", counts(m.cases.filed)], ["stats.cases.accepted", counts(m.cases.accepted)], ["stats.cases.closed", counts(m.cases.closed)]])),
      table({
        id: "table-cases",
        caption: "stats.cases.title",
        columns: ["stats.period", "stats.cases.filed", "stats.cases.accepted", "stats.cases.closed"],
        rows: periods.map((p, i) => el("tr", { "data-period": p }, el("th", { scope: "row" }, p), [m.cases.filed, m.cases.accepted, m.cases.closed].map((s) => el("td", {}, String(s[i].count))))),
      }),
      csvButton(query, "cases", "csv-cases"),
    ),
    section(
      "stats-causes",
      "stats.causes.title",
      m.byCauseOfAction.length
        ? chart(ctx, "chart-causes", "stats.causes.title", barOption(() => m.byCauseOfAction.map((x) => x.causeOfAction), m.byCauseOfAction.map((x) => x.cases)))
        : null,
      table({
        id: "table-causes",
        caption: "stats.causes.title",
        empty: "stats.none",
        columns: ["stats.causeOfAction", "stats.cases"],
        rows: m.byCauseOfAction.map((x) => el("tr", {}, el("th", { scope: "row" }, x.causeOfAction), el("td", {}, String(x.cases)))),
      }),
      csvButton(query, "causes", "csv-causes"),
    ),
    section(
      "stats-service",
      "stats.service.title",
      chart(ctx, "chart-service", "stats.service.title", barOption(() => serviceRows.map(([k]) => t(k)), serviceRows.map(([, s]) => (s.share === null ? 0 : Math.round(s.share * 1000) / 10)), { percent: true })),
      table({
        id: "table-service",
        caption: "stats.service.title",
        columns: ["stats.measure", "stats.value"],
        rows: serviceRows.map(([k, s]) => el("tr", { "data-measure": k }, el("th", { scope: "row" }, tx(k)), el("td", {}, shareCell(s)))),
      }),
      service.unopened ? el("p", { class: "hint" }, tx("stats.service.unopened", { n: service.unopened })) : null,
      csvButton(query, "service", "csv-service"),
    ),
    section(
      "stats-durations",
      "stats.durations.title",
      table({
        id: "table-durations",
        caption: "stats.durations.title",
        columns: ["stats.measure", "stats.n", "stats.median", "stats.p90"],
        rows: durations.map(([k, q]) => el("tr", { "data-measure": k }, el("th", { scope: "row" }, tx(k)), el("td", {}, String(q.n)), el("td", {}, q.medianDays ?? "—"), el("td", {}, q.p90Days ?? "—"))),
      }),
      el("p", { class: "hint" }, tx("stats.durations.hint")),
      csvButton(query, "durations", "csv-durations"),
    ),
    section(
      "stats-evidence",
      "stats.evidence.title",
      table({
        id: "table-evidence",
        caption: "stats.evidence.title",
        columns: ["stats.measure", "stats.value"],
        rows: [
          el("tr", {}, el("th", { scope: "row" }, tx("stats.evidence.perCase")), el("td", {}, `${m.evidence.itemsPerCase ?? "—"} (${m.evidence.items}/${m.evidence.cases})`)),
          el("tr", {}, el("th", { scope: "row" }, tx("stats.evidence.anchored")), el("td", {}, shareCell(m.evidence.anchored))),
          el("tr", {}, el("th", { scope: "row" }, tx("stats.evidence.disputed")), el("td", {}, shareCell(m.evidence.disputed))),
        ],
      }),
      csvButton(query, "evidence", "csv-evidence"),
    ),
    section(
      "stats-judges",
      "stats.judges.title",
      table({
        id: "table-judges",
        caption: "stats.judges.title",
        empty: "stats.none",
        columns: ["stats.judge", "stats.cases"],
        rows: m.byJudge.map((x) => el("tr", { "data-judge-id": x.judgeId }, el("th", { scope: "row" }, x.name), el("td", {}, String(x.cases)))),
      }),
      csvButton(query, "judges", "csv-judges"),
    ),
    m.contracts
      ? section(
          "stats-contracts",
          "stats.contracts.title",
          chart(ctx, "chart-contracts", "stats.contracts.title", lineOption(periods, [["stats.contracts.completed", counts(m.contracts.completed)]])),
          table({
            id: "table-contracts",
            caption: "stats.contracts.title",
            columns: ["stats.measure", "stats.value"],
            rows: [
              el("tr", {}, el("th", { scope: "row" }, tx("stats.contracts.median")), el("td", {}, m.contracts.timeToComplete.medianDays ?? "—")),
              el("tr", {}, el("th", { scope: "row" }, tx("stats.contracts.declined")), el("td", {}, shareCell(m.contracts.declined))),
              el("tr", {}, el("th", { scope: "row" }, tx("stats.contracts.expired")), el("td", {}, shareCell(m.contracts.expired))),
            ],
          }),
          csvButton(query, "contracts", "csv-contracts"),
        )
      : null,
  ];
  root.append(...sections.filter(Boolean));
}

function warningsSection(w) {
  const body = !w.sufficient
    ? [el("p", { class: "ws-message ws-message-wait", id: "warnings-insufficient" }, tx("stats.warnings.insufficient", { reason: w.reason }))]
    : [
        el("p", { class: "hint" }, tx("stats.warnings.rule", { periods: w.rule.historyPeriods, alpha: w.rule.alpha, min: w.rule.minCount, judged: w.judged })),
        table({
          id: "table-warnings",
          caption: "stats.warnings.title",
          empty: "stats.warnings.none",
          columns: ["stats.warnings.what", "stats.warnings.latest", "stats.warnings.mean", "stats.warnings.p", "stats.warnings.history"],
          rows: w.warnings.map((x) =>
            el(
              "tr",
              { "data-dimension": x.dimension, "data-key": x.key },
              el("th", { scope: "row" }, badge("bad", `stats.warnings.dim.${x.dimension}`), " ", x.label),
              el("td", {}, String(x.latest)),
              el("td", {}, String(x.mean)),
              el("td", {}, x.pValue.toExponential(2)),
              el("td", {}, x.history.join(" · ")),
            ),
          ),
        }),
      ];
  return section("stats-warnings", "stats.warnings.title", el("p", { class: "hint" }, tx("stats.warnings.intro", { latest: w.latest, from: w.historyFrom })), ...body);
}

export async function statisticsView(root, ctx) {
  const isAdmin = ctx.me.role === "admin";
  const courts = isAdmin ? (await api("GET", "courts")).items : [];
  if (!ctx.alive()) return;
  const period = el("select", { name: "period" }, ["month", "quarter", "year"].map((p) => el("option", { value: p }, tx(`stats.periods.${p}`))));
  const from = el("input", { type: "text", name: "from", required: true, autocomplete: "off", spellcheck: "false" });
  const to = el("input", { type: "text", name: "to", required: true, autocomplete: "off", spellcheck: "false" });
  const court = isAdmin ? el("select", { name: "court" }, el("option", { value: "" }, tx("stats.allCourts")), courts.map((c) => el("option", { value: c.id }, c.name))) : null;
  const cause = el("input", { type: "text", name: "cause", maxlength: "200", autocomplete: "off" });
  const mine = ctx.me.role === "judge" ? el("input", { type: "checkbox", name: "mine", id: "stats-mine" }) : null;
  const errors = el("div", { role: "alert", id: "stats-errors" });
  const results = el("div", { id: "stats-results", "aria-live": "polite" });
  const setDefaults = () => {
    const p = period.value;
    const back = { month: 11, quarter: 3, year: 2 }[p];
    for (const input of [from, to]) input.setAttribute("pattern", PERIOD_PATTERN[p]);
    from.value = periodLabel(p, back);
    to.value = periodLabel(p);
  };
  period.addEventListener("change", setDefaults);
  setDefaults();

  const load = async () => {
    errors.replaceChildren();
    for (const input of [from, to]) input.removeAttribute("aria-invalid");
    const bad = [from, to].find((i) => !i.checkValidity());
    if (bad) {
      bad.setAttribute("aria-invalid", "true");
      errors.replaceChildren(el("p", { class: "ws-message ws-message-bad" }, tx("stats.badPeriod", { example: periodLabel(period.value) })));
      bad.focus();
      return;
    }
    const q = new URLSearchParams({ period: period.value, from: from.value.trim(), to: to.value.trim() });
    if (court?.value) q.set("courtId", court.value);
    if (cause.value.trim()) q.set("causeOfAction", cause.value.trim());
    if (mine?.checked) q.set("mine", "true");
    const w = new URLSearchParams({ period: period.value, latest: to.value.trim() });
    if (court?.value) w.set("courtId", court.value);
    if (mine?.checked) w.set("mine", "true");
    results.setAttribute("aria-busy", "true");
    try {
      const [m, warnings] = await Promise.all([api("GET", `statistics/measures?${q}`), api("GET", `statistics/warnings?${w}`)]);
      if (!ctx.alive()) return;
      results.replaceChildren();
      results.append(warningsSection(warnings));
      render(ctx, results, m, q.toString());
      results.dataset.loaded = q.toString();
    } catch (e) {
      sayError(errors, e);
    } finally {
      results.removeAttribute("aria-busy");
    }
  };

  const form = el(
    "form",
    { class: "form ws-filter", id: "stats-filter", role: "search", novalidate: true, onsubmit: (e) => (e.preventDefault(), void load()) },
    field("stats-period", "stats.period", period),
    field("stats-from", "stats.from", from),
    field("stats-to", "stats.to", to),
    court ? field("stats-court", "stats.court", court) : null,
    field("stats-cause", "stats.causeOfAction", cause),
    mine ? el("label", { class: "ws-choice", for: "stats-mine" }, mine, " ", tx("stats.mine")) : null,
    el("button", { type: "submit", class: "button primary", id: "stats-show" }, tx("stats.show")),
  );
  root.append(
    el(
      "section",
      { class: "card", "aria-labelledby": "stats-title" },
      el("h1", { id: "stats-title", tabindex: "-1", "data-view-heading": "" }, tx("stats.title")),
      el("p", { class: "hint" }, tx("stats.intro")),
      form,
      errors,
    ),
    results,
  );
  await load();
}
