{{- define "soc-pipeline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name, also the SocPipeline's name: the release name, so `helm install shop` gives the
pipeline "shop". At most 30 characters (a DNS-1035 label): the CRD requires it, as the
operator prefixes every child object with it.
*/}}
{{- define "soc-pipeline.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 30 | trimSuffix "-" }}
{{- end }}

{{- define "soc-pipeline.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: soc-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "soc-pipeline.labels" -}}
{{ include "soc-pipeline.commonLabels" . }}
app.kubernetes.io/name: {{ include "soc-pipeline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector of one dev server; call with (dict "ctx" $ "component" "kafka"). */}}
{{- define "soc-pipeline.devSelector" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: dev-{{ .component }}
{{- end }}

{{- define "soc-pipeline.devLabels" -}}
{{ include "soc-pipeline.commonLabels" .ctx }}
{{ include "soc-pipeline.devSelector" . }}
{{- end }}

{{/* Restricted-profile container securityContext shared by the dev servers. */}}
{{- define "soc-pipeline.devContainerSecurity" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* The Secrets this chart can render: values key -> name suffix and data key. */}}
{{- define "soc-pipeline.secretSpecs" -}}
apiKeys: {suffix: api-keys, key: API_KEYS}
slackWebhookUrls: {suffix: slack-webhooks, key: SLACK_WEBHOOK_URLS}
discordWebhookUrls: {suffix: discord-webhooks, key: DISCORD_WEBHOOK_URLS}
smtpUrl: {suffix: smtp, key: SMTP_URL}
githubToken: {suffix: github-token, key: GITHUB_TOKEN}
{{- end }}

{{/* Reference to the Secret rendered for secrets.<.key>; call with (dict "ctx" $ "key" "apiKeys"). */}}
{{- define "soc-pipeline.secretRef" -}}
{{- $spec := get (include "soc-pipeline.secretSpecs" .ctx | fromYaml) .key }}
{{- dict "name" (printf "%s-%s" (include "soc-pipeline.fullname" .ctx) $spec.suffix) "key" $spec.key | toJson }}
{{- end }}

{{/*
The SocPipeline spec: .Values.pipeline, plus
- references to the Secrets rendered from .Values.secrets (these win over *SecretRef values),
- the dev servers' addresses when dev.enabled,
- urlSecretRef replacing url (the CRD wants exactly one).
*/}}
{{- define "soc-pipeline.spec" -}}
{{- $spec := deepCopy .Values.pipeline }}
{{- range $part := list "elasticsearch" "redis" "api" "alerter" "reporter" "credentialScanner" }}
{{- if not (get $spec $part) }}{{ $_ := set $spec $part dict }}{{ end }}
{{- end }}
{{- $ref := dict }}
{{- range $key, $unused := include "soc-pipeline.secretSpecs" . | fromYaml }}
{{- if get $.Values.secrets $key }}
{{- $_ := set $ref $key (include "soc-pipeline.secretRef" (dict "ctx" $ "key" $key) | fromJson) }}
{{- end }}
{{- end }}
{{- /* The API cannot start without keys: default to the Secret secrets.apiKeys would render. */}}
{{- if or $ref.apiKeys (not $spec.api.apiKeysSecretRef) }}
{{- $_ := set $spec.api "apiKeysSecretRef" (include "soc-pipeline.secretRef" (dict "ctx" . "key" "apiKeys") | fromJson) }}
{{- end }}
{{- with $ref.slackWebhookUrls }}{{ $_ := set $spec.alerter "slackWebhookUrlsSecretRef" . }}{{ end }}
{{- with $ref.discordWebhookUrls }}{{ $_ := set $spec.alerter "discordWebhookUrlsSecretRef" . }}{{ end }}
{{- with $ref.smtpUrl }}
{{- $_ := set $spec.alerter "smtpUrlSecretRef" . }}
{{- $_ := set $spec.reporter "smtpUrlSecretRef" . }}
{{- end }}
{{- with $ref.githubToken }}{{ $_ := set $spec.credentialScanner "githubTokenSecretRef" . }}{{ end }}
{{- if .Values.dev.enabled }}
{{- $fullname := include "soc-pipeline.fullname" . }}
{{- $_ := set $spec.kafka "brokers" (list (printf "%s-kafka:9092" $fullname)) }}
{{- $_ := set $spec.elasticsearch "url" (printf "http://%s-elasticsearch:9200" $fullname) }}
{{- $_ := unset $spec.elasticsearch "urlSecretRef" }}
{{- $_ := set $spec.redis "url" (printf "redis://%s-redis:6379" $fullname) }}
{{- $_ := unset $spec.redis "urlSecretRef" }}
{{- end }}
{{- range $part := list "elasticsearch" "redis" }}
{{- $conn := get $spec $part }}
{{- if $conn.urlSecretRef }}{{ $_ := unset $conn "url" }}{{ end }}
{{- if not $conn }}{{ $_ := unset $spec $part }}{{ end }}
{{- end }}
{{- range $part := list "alerter" "reporter" "credentialScanner" }}
{{- if not (get $spec $part) }}{{ $_ := unset $spec $part }}{{ end }}
{{- end }}
{{- toYaml $spec }}
{{- end }}

{{/* The dev servers' data: a PVC per pod with dev.persistence.enabled, else an emptyDir (pod spec part). */}}
{{- define "soc-pipeline.devVolumes" -}}
{{- if not .Values.dev.persistence.enabled }}
volumes:
  - name: data
    emptyDir: {}
{{- end }}
{{- end }}

{{/* StatefulSet spec part of the above. */}}
{{- define "soc-pipeline.devVolumeClaims" -}}
{{- $p := .Values.dev.persistence }}
{{- if $p.enabled }}
volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      {{- with $p.storageClass }}
      storageClassName: {{ . }}
      {{- end }}
      resources:
        requests:
          storage: {{ $p.size }}
{{- end }}
{{- end }}
