{{/* Chart name, overridable. */}}
{{- define "soc-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release name alone when it already contains the chart name. */}}
{{- define "soc-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "soc-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "soc-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "soc-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "soc-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: soc-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "soc-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "soc-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "soc-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
What the operator reconciles. Least privilege: no Secrets (pods read them through secretKeyRef),
no wildcards, and the custom resources themselves are read-only (only their status is written).
*/}}
{{- define "soc-operator.rules" -}}
- apiGroups: [socpipeline.io]
  resources: [socpipelines, ipwhitelists]
  verbs: [get, list, watch]
- apiGroups: [socpipeline.io]
  resources: [socpipelines/status, ipwhitelists/status]
  verbs: [get, update, patch]
# Children carry blockOwnerDeletion owner references, which need this where the
# OwnerReferencesPermissionEnforcement admission plugin is on (OpenShift).
- apiGroups: [socpipeline.io]
  resources: [socpipelines/finalizers]
  verbs: [update]
# PersistentVolumeClaims: the credential scanner CronJob's state.
- apiGroups: [""]
  resources: [configmaps, services, persistentvolumeclaims]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [apps]
  resources: [deployments/scale]
  verbs: [get, update, patch]
- apiGroups: [batch]
  resources: [cronjobs]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: ["", events.k8s.io]
  resources: [events]
  verbs: [create, patch]
# The Kafka credentials a pipeline references (spec.kafka.sasl, spec.kafka.tls), read by name in the
# pipeline's namespace only: no list or watch, so the operator cannot enumerate Secrets.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
{{- end }}
