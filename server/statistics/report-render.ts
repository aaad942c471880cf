// The analysis report as a PDF: the figures of a scope and range with the charts drawn as vector
// paths (lines, bars, axes: no raster image), the warnings with the numbers behind them, and the
// judge's text; a QR code to the verification page names the report's anchored record of figures.
// Sealing and anchoring are the caller's.
import { PDFDocument, rgb, type PDFPage } from "pdf-lib";
import { embedCjkFont } from "../pdf/fonts";
import { A4, GREY, INK, TextFlow, drawQr } from "../pdf/layout";
import { chinaTime } from "../contracts/format";
import type { StatisticsService } from "./service";

type Measures = Awaited<ReturnType<StatisticsService["measures"]>>;
type Warnings = Awaited<ReturnType<StatisticsService["warnings"]>>;

export interface ReportInput {
  title: string;
  scopeLine: string;
  author: string;
  at: Date;
  text: string;
  measures: Measures;
  warnings: Warnings;
  verifyUrl: string;
  recordSha256: string;
}

/** Where the seal's stamp goes on the last page: bottom right, clear of the text. */
export const REPORT_SEAL_RECT: [number, number, number, number] = [A4[0] - 64 - 220, 54, 220, 70];

const SERIES_COLORS = [rgb(0.12, 0.37, 0.66), rgb(0.71, 0.27, 0.18), rgb(0.24, 0.48, 0.23)];
const pct = (s: { share: number | null; count: number; of: number }) => `${s.share === null ? "—" : (s.share * 100).toFixed(1) + "%"} (${s.count}/${s.of})`;

/** Columns of text at fixed x offsets (points from the left margin), one row per call. */
function row(flow: TextFlow, cells: string[], xs: number[], size = 9, color = INK): void {
  const lineHeight = size * 1.6;
  flow.ensure(lineHeight);
  flow.y -= lineHeight;
  cells.forEach((c, i) => flow.page.drawText(c, { x: flow.left + xs[i], y: flow.y + size * 0.3, size, font: flow.font, color }));
}

function heading(flow: TextFlow, text: string): void {
  flow.gap(10);
  flow.ensure(60);
  flow.text(text, { size: 13 });
  flow.rule();
}

/** A line chart of integer series over period labels, `height` points tall across the text width. */
function lineChart(flow: TextFlow, labels: string[], series: { name: string; values: number[] }[], height = 150): void {
  flow.ensure(height + 40);
  const page: PDFPage = flow.page;
  const x0 = flow.left + 28;
  const w = flow.width - 36;
  const top = flow.y - 16;
  const y0 = top - height;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const step = Math.max(1, Math.ceil(max / 5));
  const yMax = step * Math.ceil(max / step);
  // legend
  let lx = x0;
  series.forEach((s, i) => {
    page.drawLine({ start: { x: lx, y: top + 6 }, end: { x: lx + 14, y: top + 6 }, thickness: 2, color: SERIES_COLORS[i % 3] });
    page.drawText(s.name, { x: lx + 18, y: top + 3, size: 8, font: flow.font, color: INK });
    lx += 30 + flow.font.widthOfTextAtSize(s.name, 8);
  });
  // axes and grid
  for (let v = 0; v <= yMax; v += step) {
    const y = y0 + (v / yMax) * height;
    page.drawLine({ start: { x: x0, y }, end: { x: x0 + w, y }, thickness: v === 0 ? 0.8 : 0.3, color: v === 0 ? INK : GREY });
    page.drawText(String(v), { x: x0 - 6 - flow.font.widthOfTextAtSize(String(v), 7), y: y - 2.5, size: 7, font: flow.font, color: GREY });
  }
  const xAt = (i: number) => x0 + (labels.length === 1 ? w / 2 : (i / (labels.length - 1)) * w);
  const every = Math.ceil(labels.length / 12);
  labels.forEach((l, i) => {
    if (i % every) return;
    const tw = flow.font.widthOfTextAtSize(l, 7);
    page.drawText(l, { x: xAt(i) - tw / 2, y: y0 - 11, size: 7, font: flow.font, color: GREY });
  });
  series.forEach((s, k) => {
    const color = SERIES_COLORS[k % 3];
    const pts = s.values.map((v, i) => ({ x: xAt(i), y: y0 + (v / yMax) * height }));
    for (let i = 1; i < pts.length; i++) page.drawLine({ start: pts[i - 1], end: pts[i], thickness: 1.4, color });
    for (const p of pts) page.drawCircle({ x: p.x, y: p.y, size: 1.8, color });
  });
  flow.y = y0 - 20;
}

/** Horizontal bars with their value at the end. */
function barChart(flow: TextFlow, bars: { label: string; value: number }[]): void {
  if (!bars.length) return;
  const barH = 11;
  const gap = 5;
  const labelW = Math.min(150, Math.max(...bars.map((b) => flow.font.widthOfTextAtSize(b.label, 8))) + 8);
  const max = Math.max(1, ...bars.map((b) => b.value));
  const w = flow.width - labelW - 40;
  for (const b of bars) {
    flow.ensure(barH + gap);
    flow.y -= barH + gap;
    const y = flow.y;
    flow.page.drawText(b.label, { x: flow.left, y: y + 2.5, size: 8, font: flow.font, color: INK });
    const bw = (b.value / max) * w;
    flow.page.drawRectangle({ x: flow.left + labelW, y, width: Math.max(0.5, bw), height: barH, color: SERIES_COLORS[0] });
    flow.page.drawText(String(b.value), { x: flow.left + labelW + bw + 4, y: y + 2.5, size: 8, font: flow.font, color: INK });
  }
  flow.gap(8);
}

export async function renderReport(input: ReportInput): Promise<{ pdf: Buffer; pages: number }> {
  const doc = await PDFDocument.create();
  doc.setTitle(input.title);
  doc.setCreator("Evidence Platform");
  doc.setCreationDate(input.at);
  doc.setModificationDate(input.at);
  const font = await embedCjkFont(doc);
  const flow = new TextFlow(doc, font);
  const m = input.measures;
  const w = input.warnings;

  flow.text(input.title, { size: 18, align: "center" });
  flow.gap(6);
  flow.text(input.scopeLine, { size: 10, align: "center", color: GREY });
  flow.text(`编制 Prepared by ${input.author} · ${chinaTime(input.at)}`, { size: 9, align: "center", color: GREY });
  const qrSize = 72;
  flow.gap(8);
  drawQr(flow, input.verifyUrl, flow.left + (flow.width - qrSize) / 2, flow.y, qrSize, 4);
  flow.gap(qrSize + 6);
  flow.text(`数据记录（已上链） Record of figures (anchored): ${input.recordSha256}`, { size: 7, color: GREY, align: "center" });

  heading(flow, "一、收案、立案与结案 Cases filed, accepted and closed");
  lineChart(flow, m.periods, [
    { name: "收案 Filed", values: m.cases.filed.map((x) => x.count) },
    { name: "立案 Accepted", values: m.cases.accepted.map((x) => x.count) },
    { name: "结案 Closed", values: m.cases.closed.map((x) => x.count) },
  ]);
  const xs = [0, 120, 220, 320];
  row(flow, ["期间 Period", "收案 Filed", "立案 Accepted", "结案 Closed"], xs, 9, GREY);
  m.periods.forEach((p, i) => row(flow, [p, String(m.cases.filed[i].count), String(m.cases.accepted[i].count), String(m.cases.closed[i].count)], xs));

  heading(flow, "二、按案由 By cause of action");
  barChart(flow, m.byCauseOfAction.map((c) => ({ label: c.causeOfAction, value: c.cases })));
  if (!m.byCauseOfAction.length) flow.text("该期间没有案件。 No cases in the range.", { size: 9 });

  heading(flow, "三、电子送达与审理用时 Electronic service and durations");
  const kv = [0, 260];
  row(flow, ["电子送达率 Electronic service rate", pct(m.service.rate)], kv);
  row(flow, ["电子送达覆盖率 Coverage (cases)", pct(m.service.coverage)], kv);
  row(flow, ["1 日内签收 Received within 1 day", pct(m.service.receiptsWithin.days1)], kv);
  row(flow, ["3 日内签收 Received within 3 days", pct(m.service.receiptsWithin.days3)], kv);
  row(flow, ["7 日内签收 Received within 7 days", pct(m.service.receiptsWithin.days7)], kv);
  const q = (x: { n: number; medianDays: number | null; p90Days: number | null }) => `n=${x.n} 中位 median ${x.medianDays ?? "—"} · P90 ${x.p90Days ?? "—"} 天 days`;
  row(flow, ["申请至立案 Filing to acceptance", q(m.durations.filingToAcceptance)], kv);
  row(flow, ["至结案 To closing", q(m.durations.filingToClosing)], kv);
  row(flow, ["每案证据 Items per case", `${m.evidence.itemsPerCase ?? "—"} (${m.evidence.items}/${m.evidence.cases})`], kv);
  row(flow, ["已上链 Anchored", pct(m.evidence.anchored)], kv);
  row(flow, ["有异议的质证意见 Disputed opinions", pct(m.evidence.disputed)], kv);

  heading(flow, "四、风险预警 Risk warnings");
  if (!w.sufficient) flow.text(`数据不足，未作判断。 Too little data to judge: ${w.reason}`, { size: 9 });
  else {
    flow.text(
      `泊松检验：以前 ${w.rule.historyPeriods} 期均值为 λ，本期件数 k 满足 P(X ≥ k) < ${w.rule.alpha} 且 k ≥ ${w.rule.minCount} 时预警（${w.latest}，共判断 ${w.judged} 个序列）。 Poisson test against the mean of the previous ${w.rule.historyPeriods} periods.`,
      { size: 8.5, color: GREY },
    );
    if (!w.warnings.length) flow.text("没有需要预警的增长。 No rise calls for a warning.", { size: 9 });
    for (const x of w.warnings) {
      flow.text(`预警 Warning · ${x.label}（${x.dimension}）：本期 ${x.latest}，此前均值 ${x.mean}，P = ${x.pValue.toExponential(2)}`, { size: 9.5 });
      flow.text(`此前各期 History: ${x.history.join(" ")}`, { size: 8, color: GREY, indent: 12 });
    }
  }

  heading(flow, "五、分析与建议 Analysis and recommendations");
  for (const para of input.text.split(/\r?\n/)) {
    if (para.trim()) flow.text(para, { size: 10.5, leading: 1.7 });
    else flow.gap(6);
  }
  // room for the seal's stamp at the foot of the last page
  flow.ensure(90);
  flow.footers((i, n) => `${input.title} · 第 ${i} / ${n} 页 Page ${i} of ${n}`);
  return { pdf: Buffer.from(await doc.save({ useObjectStreams: false })), pages: doc.getPageCount() };
}
