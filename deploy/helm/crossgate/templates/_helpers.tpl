{{/* Names and labels. */}}
{{- define "crossgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "crossgate.fullname" -}}
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

{{- define "crossgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crossgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "crossgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "crossgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: policy-decision-point
{{- end }}

{{- define "crossgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "crossgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The name the server certificate must carry, for the probes. */}}
{{- define "crossgate.serverName" -}}
{{- default (printf "%s.%s.svc" (include "crossgate.fullname" .) .Release.Namespace) .Values.probes.serverName }}
{{- end }}

{{/*
One bundle source of crossgate.yaml (policy_bundle or owner_registry).
Arguments: (dict "source" <values> "name" "policy-bundle" "what" "policyBundle")
*/}}
{{- define "crossgate.bundleSource" -}}
{{- $s := .source }}
{{- $count := 0 }}
{{- if $s.configMap.name }}{{ $count = add1 $count }}{{ end }}
{{- if $s.secret.name }}{{ $count = add1 $count }}{{ end }}
{{- if $s.url }}{{ $count = add1 $count }}{{ end }}
{{- if ne $count 1 }}
{{- fail (printf "%s: give exactly one of configMap.name, secret.name and url" .what) }}
{{- end }}
{{- if not $s.publicKeys }}
{{- fail (printf "%s.publicKeys: at least one public key (a file name in the trust Secret) is required" .what) }}
{{- end }}
{{- if $s.url }}
url: {{ $s.url | quote }}
{{- with $s.caFile }}
ca_file: {{ printf "/etc/crossgate/trust/%s" . | quote }}
{{- end }}
{{- else }}
path: {{ printf "/etc/crossgate/%s/%s.tar.gz" .name .name | quote }}
{{- end }}
{{- with $s.pollSeconds }}
poll_seconds: {{ . }}
{{- end }}
public_keys:
{{- range $s.publicKeys }}
  - {{ printf "/etc/crossgate/trust/%s" . | quote }}
{{- end }}
signatures_required: {{ $s.signaturesRequired }}
{{- end }}

{{/*
The volume of a bundle read from a file (none for a URL).
Arguments: (dict "source" <values> "name" "policy-bundle")
*/}}
{{- define "crossgate.bundleVolume" -}}
{{- $s := .source }}
{{- if $s.configMap.name }}
- name: {{ .name }}
  configMap:
    name: {{ $s.configMap.name }}
    items:
      - key: {{ $s.configMap.key }}
        path: {{ .name }}.tar.gz
{{- else if $s.secret.name }}
- name: {{ .name }}
  secret:
    secretName: {{ $s.secret.name }}
    items:
      - key: {{ $s.secret.key }}
        path: {{ .name }}.tar.gz
{{- end }}
{{- end }}

{{/*
The `crossgate health` command of a probe.
Arguments: (dict "root" $ "extra" (list ...))
*/}}
{{- define "crossgate.healthCommand" -}}
{{- $v := .root.Values }}
- crossgate
- health
- --address
- {{ printf "127.0.0.1:%d" (int $v.ports.grpc) | quote }}
- --tls-ca
- {{ printf "/etc/crossgate/tls/%s" $v.probes.caKey | quote }}
{{- if $v.tls.clientCAKey }}
{{- if $v.probes.clientSecretName }}
- --tls-cert
- /etc/crossgate/probe-tls/tls.crt
- --tls-key
- /etc/crossgate/probe-tls/tls.key
{{- else }}
- --tls-cert
- {{ printf "/etc/crossgate/tls/%s" $v.tls.certKey | quote }}
- --tls-key
- {{ printf "/etc/crossgate/tls/%s" $v.tls.keyKey | quote }}
{{- end }}
{{- end }}
- --tls-server-name
- {{ include "crossgate.serverName" .root | quote }}
- --timeout
- {{ $v.probes.healthTimeoutSeconds | quote }}
{{- range .extra }}
- {{ . | quote }}
{{- end }}
{{- end }}
