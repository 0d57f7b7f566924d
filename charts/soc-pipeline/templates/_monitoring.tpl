{{/*
Label matchers of this pipeline's series: the PodMonitors add `pipeline` (and `component`) from
the pod labels the operator sets, Prometheus adds `namespace`.
*/}}
{{- define "soc-pipeline.metricsSelector" -}}
namespace="{{ .Release.Namespace }}", pipeline="{{ include "soc-pipeline.fullname" . }}"
{{- end }}

{{/*
What serves /metrics, as the operator renders it (operator/src/pipeline/components.ts): component
name and port name. The reporter and the credential scanner's CronJob have no metrics port.
*/}}
{{- define "soc-pipeline.scrapeTargets" -}}
- {component: api, port: http, authorized: true}
- {component: worker, port: metrics}
- {component: alerter, port: metrics}
{{- range .Values.pipeline.collectors }}
- {component: collector-{{ .name }}, port: http}
{{- end }}
{{- end }}

{{/* The read-role key of secrets.apiKeys (role:key entries, comma or newline separated), or "". */}}
{{- define "soc-pipeline.readApiKey" -}}
{{- $found := "" }}
{{- range regexSplit "[,\n]" (default "" .Values.secrets.apiKeys) -1 }}
{{- $entry := trim . }}
{{- if and (not $found) (hasPrefix "read:" $entry) }}{{ $found = trimPrefix "read:" $entry }}{{ end }}
{{- end }}
{{- $found }}
{{- end }}

{{/* The Secret key Prometheus sends as the API's bearer token. */}}
{{- define "soc-pipeline.metricsKeyRef" -}}
{{- with .Values.monitoring.podMonitors.apiKeySecretRef }}
{{- toJson . }}
{{- else }}
{{- if not (include "soc-pipeline.readApiKey" .) }}
{{- fail "monitoring.podMonitors: the API's /metrics needs a key with the read role: add a read:<key> entry to secrets.apiKeys, or set monitoring.podMonitors.apiKeySecretRef to a Secret key holding one" }}
{{- end }}
{{- dict "name" (printf "%s-metrics-key" (include "soc-pipeline.fullname" .)) "key" "token" | toJson }}
{{- end }}
{{- end }}

{{/* Labels of the monitoring objects: the chart's, plus monitoring.labels for the Prometheus selectors. */}}
{{- define "soc-pipeline.monitoringLabels" -}}
{{ include "soc-pipeline.labels" . }}
{{- with .Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}
