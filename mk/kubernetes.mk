# The local Kubernetes control plane the operator is tested against (envtest style, loopback):
# etcd, kube-apiserver, kube-controller-manager, kubectl, helm and kstatus-check, all built from
# Go modules and cached in $(SOC_CACHE)/bin.
.PHONY: kube-build kube-up kube-down crds

kube-build: ## Build (cached) kube-apiserver, kube-controller-manager, kubectl, etcd, helm, kstatus-check
	bash scripts/kube/build.sh

kube-up: ## Start (idempotent) etcd + kube-apiserver + kube-controller-manager on loopback
	bash scripts/kube/up.sh >/dev/null

kube-down: ## Stop the local control plane (KUBE_WIPE=1 also deletes its data)
	bash scripts/kube/down.sh $(if $(KUBE_WIPE),--wipe,)

crds: install ## Regenerate crds/ (and the operator chart's copy) from the TypeScript schemas
	npm run generate:crds -w @soc/operator
