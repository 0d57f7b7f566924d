/**
 * The charts' Prometheus Operator and Grafana objects, as Prometheus and Grafana will read them:
 * rendered with helm, rules checked and unit-tested with Prometheus's promtool, every PromQL
 * expression parsed with Prometheus's grammar and held to the series the services and the operator
 * really expose, and every PodMonitor held to the pods the operator renders. Skipped, with the
 * reason, without helm (scripts/kube/build.sh) or promtool (scripts/infra/promtool.sh).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { socPipelineObject } from "../../operator/src/api/v1alpha1/index.ts";
import type { KubeObject } from "../../operator/src/kube/client.ts";
import { desiredChildren } from "../../operator/src/pipeline/children.ts";
import { exposedSeries, type ExposedSeries } from "./exposed-metrics.ts";
import { expandGrafanaMacros, selectors } from "./promql.ts";

const SOC_BIN = join(process.env.SOC_CACHE ?? "/var/cache/soc-pipeline", "bin");
const HELM = process.env.HELM ?? join(SOC_BIN, "helm");
const PROMTOOL = process.env.PROMTOOL ?? join(SOC_BIN, "promtool");
const ROOT = join(import.meta.dirname, "..", "..");
const PIPELINE_CHART = join(ROOT, "charts", "soc-pipeline");
const OPERATOR_CHART = join(ROOT, "charts", "soc-operator");
const KUBE_VERSION = "1.31.0";

const missing = [
  ...(existsSync(HELM) ? [] : [`helm at ${HELM}`]),
  ...(existsSync(PROMTOOL) ? [] : [`promtool at ${PROMTOOL} (scripts/infra/promtool.sh build)`]),
];
if (missing.length > 0) console.warn(`skipping monitoring tests: no ${missing.join(", no ")}`);

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: {
    alert?: string;
    expr: string;
    for?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }[];
}
interface PodMonitorSpec {
  selector: { matchLabels: Record<string, string> };
  namespaceSelector: { matchNames: string[] };
  podMetricsEndpoints: {
    port: string;
    path: string;
    authorization?: { type: string; credentials: { name: string; key: string } };
  }[];
}
interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  gridPos: { x: number; y: number; w: number; h: number };
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
}

const MONITORING_ON = [
  "--set",
  "monitoring.podMonitors.enabled=true,monitoring.prometheusRule.enabled=true,monitoring.grafanaDashboard.enabled=true,monitoring.labels.release=kube-prometheus-stack",
  "--set",
  "secrets.apiKeys=ingest:ingest-key-0123456789\\,read:read-key-0123456789",
  "--set",
  "pipeline.collectors[0].name=vercel,pipeline.collectors[0].type=vercel,pipeline.collectors[1].name=pg,pipeline.collectors[1].type=postgres",
];

function render(chart: string, release: string, namespace: string, values: string[]): Manifest[] {
  const run = spawnSync(
    HELM,
    ["template", release, chart, "--namespace", namespace, "--kube-version", KUBE_VERSION, ...values],
    { encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`helm template failed: ${run.stderr}`);
  return parseAllDocuments(run.stdout).flatMap((doc) => {
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value as Manifest];
  });
}
const ofKind = (manifests: Manifest[], kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);
const groupsOf = (manifests: Manifest[]): RuleGroup[] =>
  ofKind(manifests, "PrometheusRule").flatMap((rule) => (rule.spec as { groups: RuleGroup[] }).groups);

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, args, { cwd, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The series and label names of `expr` that nothing exposes; empty when every one exists. */
function unknownSeries(expr: string, exposed: ExposedSeries): string[] {
  return selectors(expr).flatMap(({ metric, labels }) => {
    if (metric === undefined) return ["a selector without a metric name"];
    const known = exposed.get(metric);
    if (known === undefined) return [metric];
    return labels.filter((label) => !known.has(label)).map((label) => `${metric}{${label}}`);
  });
}

describe.skipIf(missing.length > 0)("Prometheus rules and Grafana dashboard of the charts", () => {
  const pipeline = render(PIPELINE_CHART, "shop", "soc", MONITORING_ON);
  const operator = render(OPERATOR_CHART, "soc-operator", "soc-system", [
    "--set",
    "prometheusRule.enabled=true,serviceMonitor.enabled=true",
  ]);
  let dir: string;
  let exposed: ExposedSeries;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "soc-monitoring-"));
    writeFileSync(join(dir, "pipeline-rules.yaml"), stringify({ groups: groupsOf(pipeline) }));
    writeFileSync(join(dir, "operator-rules.yaml"), stringify({ groups: groupsOf(operator) }));
    exposed = await exposedSeries();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("renders the monitoring objects only when asked", () => {
    const kinds = (manifests: Manifest[]) => [...new Set(manifests.map((m) => m.kind))].sort();
    expect(kinds(render(PIPELINE_CHART, "shop", "soc", []))).toEqual(["SocPipeline"]);
    expect(kinds(pipeline)).toEqual(["ConfigMap", "PodMonitor", "PrometheusRule", "Secret", "SocPipeline"]);
    expect(ofKind(render(OPERATOR_CHART, "soc-operator", "soc-system", []), "PrometheusRule")).toEqual([]);
    for (const monitor of [...ofKind(pipeline, "PodMonitor"), ...ofKind(pipeline, "PrometheusRule")])
      expect(monitor.metadata.labels?.release).toBe("kube-prometheus-stack");
  });

  it("passes promtool check rules", () => {
    for (const file of ["pipeline-rules.yaml", "operator-rules.yaml"]) {
      const run = promtool(["check", "rules", file], dir);
      expect(run.status, run.output).toBe(0);
    }
  });

  it("fires each alert when it should and stays silent when it should not (promtool test rules)", () => {
    const alerts = [...groupsOf(pipeline), ...groupsOf(operator)].flatMap((group) =>
      group.rules.map((rule) => rule.alert),
    );
    expect(alerts.sort()).toEqual([
      "SocAlertChannelGone",
      "SocAlertDeliveryFailing",
      "SocDeadLetters",
      "SocElasticsearchUnreachable",
      "SocIngestErrors",
      "SocOperatorReconcileErrors",
      "SocWorkerLagGrowing",
    ]);
    for (const tests of ["pipeline-alerts.promtool.yaml", "operator-alerts.promtool.yaml"]) {
      const unitTests = readFileSync(join(import.meta.dirname, tests), "utf8");
      // Every alert of the file's rules has a test that expects it and one that expects silence.
      for (const alert of alerts.filter((name) => unitTests.includes(`alertname: ${name}`))) {
        const blocks = unitTests.split("- eval_time:").filter((block) => block.includes(`alertname: ${alert}\n`));
        expect(
          blocks.some((block) => block.includes("exp_alerts: []")),
          `${alert} has a silent case`,
        ).toBe(true);
        expect(
          blocks.some((block) => block.includes("exp_labels:")),
          `${alert} has a firing case`,
        ).toBe(true);
      }
      copyFileSync(join(import.meta.dirname, tests), join(dir, tests));
      const run = promtool(["test", "rules", tests], dir);
      expect(run.status, run.output).toBe(0);
    }
    const tested =
      readFileSync(join(import.meta.dirname, "pipeline-alerts.promtool.yaml"), "utf8") +
      readFileSync(join(import.meta.dirname, "operator-alerts.promtool.yaml"), "utf8");
    for (const alert of alerts) expect(tested, `${alert} has promtool tests`).toContain(`alertname: ${alert}`);
  });

  it("says what is wrong in plain English, with a runbook in docs/observability.md", () => {
    const runbooks = readFileSync(join(ROOT, "docs", "observability.md"), "utf8");
    for (const rule of [...groupsOf(pipeline), ...groupsOf(operator)].flatMap((group) => group.rules)) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(warning|critical)$/);
      expect(rule.annotations?.summary, rule.alert).toMatch(/^[A-Z].+\.$/);
      expect(rule.annotations?.description?.length, rule.alert).toBeGreaterThan(60);
      expect(runbooks, `runbook of ${rule.alert}`).toContain(`### ${rule.alert}`);
    }
  });

  it("adds runbook_url to each alert when a runbook address is given", () => {
    const withUrl = render(PIPELINE_CHART, "shop", "soc", [
      ...MONITORING_ON,
      "--set",
      "monitoring.prometheusRule.runbookBaseUrl=https://docs.example.com/soc/observability",
    ]);
    for (const rule of groupsOf(withUrl).flatMap((group) => group.rules)) {
      expect(rule.annotations?.runbook_url).toBe(
        `https://docs.example.com/soc/observability#${rule.alert?.toLowerCase()}`,
      );
    }
  });

  it("alerts only on series the services and the operator really expose", () => {
    for (const rule of [...groupsOf(pipeline), ...groupsOf(operator)].flatMap((group) => group.rules)) {
      expect(unknownSeries(rule.expr, exposed), rule.alert).toEqual([]);
    }
  });

  it("has a dashboard whose every panel queries series the services and the operator really expose", () => {
    const [configMap] = ofKind(pipeline, "ConfigMap");
    expect(configMap?.metadata.labels?.grafana_dashboard).toBe("1");
    const dashboard = JSON.parse(Object.values(configMap?.data ?? {})[0] ?? "{}") as Dashboard;
    expect(dashboard.title).toBe("SOC Pipeline soc/shop");
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
    const panels = dashboard.panels.filter((panel) => panel.type !== "row");
    for (const topic of [
      "Ingest rate",
      "Worker lag",
      "Detections by rule",
      "Alerts by type",
      "Delivery failures",
      "Dead letters",
      "Bulk write latency",
      "Reconciles",
    ]) {
      expect(panels.map((panel) => panel.title)).toContain(topic);
    }
    const queries = [
      ...panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: panel.title, expr: target.expr }))),
      ...dashboard.templating.list.flatMap((variable) => {
        const query = typeof variable.query === "string" ? variable.query : variable.query?.query;
        const selector = query?.match(/^label_values\((.+), \w+\)$/)?.[1];
        return selector === undefined ? [] : [{ where: `variable ${variable.name}`, expr: selector }];
      }),
    ];
    expect(queries.length).toBeGreaterThan(20);
    for (const { where, expr } of queries) expect(unknownSeries(expandGrafanaMacros(expr), exposed), where).toEqual([]);
    for (const panel of panels) expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  it("gives each release its own dashboard uid, so several pipelines' dashboards do not collide", () => {
    const uid = (manifests: Manifest[]) =>
      (JSON.parse(Object.values(ofKind(manifests, "ConfigMap")[0]?.data ?? {})[0] ?? "{}") as Dashboard).uid;
    expect(uid(pipeline)).not.toBe(uid(render(PIPELINE_CHART, "bank", "soc", MONITORING_ON)));
  });

  it("scrapes every pod the operator renders with a metrics port, on that port, and the API with its read key", () => {
    const spec = ofKind(pipeline, "SocPipeline")[0]?.spec;
    const socPipeline = socPipelineObject.parse({
      apiVersion: "socpipeline.io/v1alpha1",
      kind: "SocPipeline",
      metadata: { name: "shop", namespace: "soc", uid: "uid-1", generation: 1, resourceVersion: "1" },
      spec,
    });
    const deployments = desiredChildren(socPipeline).filter((child: KubeObject) => child.kind === "Deployment");
    type Pod = { metadata: { labels: Record<string, string> }; spec: { containers: { ports?: { name: string }[] }[] } };
    const podOf = (deployment: KubeObject) => (deployment as KubeObject & { spec: { template: Pod } }).spec.template;
    const monitors = ofKind(pipeline, "PodMonitor").map((monitor) => monitor.spec as unknown as PodMonitorSpec);
    const scraped = new Set<string>();
    for (const monitor of monitors) {
      expect(monitor.namespaceSelector.matchNames).toEqual(["soc"]);
      const selected = deployments.filter((d) =>
        Object.entries(monitor.selector.matchLabels).every(([key, value]) => podOf(d).metadata.labels[key] === value),
      );
      expect(selected, JSON.stringify(monitor.selector)).toHaveLength(1);
      const pod = podOf(selected[0] as KubeObject);
      const ports = pod.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name));
      for (const endpoint of monitor.podMetricsEndpoints) expect(ports).toContain(endpoint.port);
      scraped.add(pod.metadata.labels["app.kubernetes.io/component"] ?? "");
    }
    expect([...scraped].sort()).toEqual(["alerter", "api", "collector-pg", "collector-vercel", "worker"]);

    const api = monitors.find((monitor) => monitor.selector.matchLabels["app.kubernetes.io/component"] === "api");
    const credentials = api?.podMetricsEndpoints[0]?.authorization?.credentials;
    const secret = ofKind(pipeline, "Secret").find((s) => s.metadata.name === credentials?.name);
    expect(Buffer.from(secret?.data?.[credentials?.key ?? ""] ?? "", "base64").toString()).toBe("read-key-0123456789");
  });

  it("refuses to render an API monitor without a read key, naming the settings", () => {
    const run = spawnSync(
      HELM,
      [
        "template",
        "shop",
        PIPELINE_CHART,
        "--kube-version",
        KUBE_VERSION,
        "--set",
        "monitoring.podMonitors.enabled=true,secrets.apiKeys=admin:admin-key-0123456789",
      ],
      { encoding: "utf8" },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("monitoring.podMonitors.apiKeySecretRef");
    const own = render(PIPELINE_CHART, "shop", "soc", [
      "--set",
      "monitoring.podMonitors.enabled=true,monitoring.podMonitors.apiKeySecretRef.name=mine,monitoring.podMonitors.apiKeySecretRef.key=token",
    ]);
    expect(ofKind(own, "Secret")).toEqual([]);
  });
});
