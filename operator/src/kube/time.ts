/** metav1.Time: RFC 3339 in UTC with whole seconds, as the API server writes it. */
export const kubeTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, "Z");
