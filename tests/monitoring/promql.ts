/** The series a PromQL expression selects, read with Prometheus's own grammar (lezer-promql). */
import { parser } from "@prometheus-io/lezer-promql";

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

export interface Selector {
  /** The metric name; undefined for a selector of labels only. */
  metric: string | undefined;
  /** Label names the selector matches on. */
  labels: string[];
}

/** Grafana's interval macros, replaced by a duration so that the expression parses as PromQL. */
const GRAFANA_MACROS: [RegExp, string][] = [
  [/\$__rate_interval\b/g, "5m"],
  [/\$__interval\b/g, "1m"],
  [/\$__range\b/g, "1h"],
];

export function expandGrafanaMacros(expr: string): string {
  return GRAFANA_MACROS.reduce((text, [macro, duration]) => text.replace(macro, duration), expr);
}

/** Every vector selector of `expr`; throws on a syntax error, naming where it is. */
export function selectors(expr: string): Selector[] {
  const tree = parser.parse(expr);
  const found: Selector[] = [];
  const text = (node: SyntaxNode): string => expr.slice(node.from, node.to);
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) throw new Error(`PromQL syntax error at ${ref.from} in: ${expr}`);
      if (ref.name !== "VectorSelector") return;
      const node = ref.node;
      const identifier = node.getChild("Identifier");
      const matchers = node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? [];
      found.push({
        metric: identifier === null ? undefined : text(identifier),
        labels: matchers.flatMap((matcher) => {
          const name = matcher.getChild("LabelName");
          return name === null ? [] : [text(name)];
        }),
      });
    },
  });
  return found;
}
