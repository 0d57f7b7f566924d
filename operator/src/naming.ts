/**
 * How the objects a SocPipeline owns are named and labelled. The reconciler builds and prunes them
 * by these, the autoscaler finds the worker Deployment by its name, and the whitelist publisher
 * labels its ConfigMap the same way.
 */
export const PIPELINE_LABEL = "socpipeline.io/pipeline";
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "soc-operator" };
export const MANAGED_SELECTOR = "app.kubernetes.io/managed-by=soc-operator";

export const childName = (pipeline: string, component: string): string => `${pipeline}-${component}`;
export const configMapName = (pipeline: string): string => `${pipeline}-config`;
