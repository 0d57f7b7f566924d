/**
 * Who owns a whitelist entry: the HTTP API (`api`) or one IpWhitelist custom resource
 * (`IpWhitelist <namespace>/<name>`). An entry a custom resource owns is managed in Git, so the
 * API refuses to change it and the operator puts it back when anything else does.
 */
import { z } from "zod";

export const API_OWNER = "api";

const IP_WHITELIST_PREFIX = "IpWhitelist ";
/** A Kubernetes namespace (DNS label) and object name (DNS subdomain). */
const ipWhitelistOwnerPattern = /^IpWhitelist [a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

export const whitelistOwner = z.union([z.literal(API_OWNER), z.string().max(512).regex(ipWhitelistOwnerPattern)]);
export type WhitelistOwner = z.infer<typeof whitelistOwner>;

export const ipWhitelistOwner = (namespace: string, name: string): string =>
  `${IP_WHITELIST_PREFIX}${namespace}/${name}`;

/** True for an owner that is a custom resource, i.e. an entry managed in Git. */
export const ownedByCustomResource = (owner: string): boolean => owner.startsWith(IP_WHITELIST_PREFIX);
