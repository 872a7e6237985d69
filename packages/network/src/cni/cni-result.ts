import { z } from 'zod';

/** An interface a plugin created or touched; `sandbox` (the netns path) marks the container's side. */
export const CniInterfaceSchema = z
  .object({
    name: z.string(),
    mac: z.string().optional(),
    mtu: z.number().optional(),
    sandbox: z.string().optional(),
  })
  .loose();

/** An address a plugin configured, with the index of its interface in `interfaces`. */
export const CniIpConfigSchema = z
  .object({
    address: z.string(),
    gateway: z.string().optional(),
    interface: z.number().int().nonnegative().optional(),
  })
  .loose();

/** A route a plugin installed in the container. */
export const CniRouteSchema = z
  .object({
    dst: z.string(),
    gw: z.string().optional(),
  })
  .loose();

/**
 * The success result of ADD (CNI spec 1.0 "Success"), also what a runtime hands back as
 * `prevResult` to CHECK and DEL. Unknown fields are kept so a cached result round-trips.
 */
export const CniResultSchema = z
  .object({
    cniVersion: z.string(),
    interfaces: z.array(CniInterfaceSchema).optional(),
    ips: z.array(CniIpConfigSchema).optional(),
    routes: z.array(CniRouteSchema).optional(),
    dns: z
      .object({
        nameservers: z.array(z.string()).optional(),
        domain: z.string().optional(),
        search: z.array(z.string()).optional(),
        options: z.array(z.string()).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

/** What VERSION prints: the protocol versions the plugin speaks. */
export const CniVersionInfoSchema = z
  .object({
    cniVersion: z.string(),
    supportedVersions: z.array(z.string()),
  })
  .loose();

/** A plugin's error report on stdout (CNI spec 1.0 "Error"), printed with a non-zero exit. */
export const CniErrorReportSchema = z
  .object({
    cniVersion: z.string().optional(),
    code: z.number().int(),
    msg: z.string(),
    details: z.string().optional(),
  })
  .loose();

/** A parsed ADD result. */
export type CniResult = z.infer<typeof CniResultSchema>;
/** One interface of a {@link CniResult}. */
export type CniInterface = z.infer<typeof CniInterfaceSchema>;
/** One address of a {@link CniResult}. */
export type CniIpConfig = z.infer<typeof CniIpConfigSchema>;
/** One route of a {@link CniResult}. */
export type CniRoute = z.infer<typeof CniRouteSchema>;
/** A parsed VERSION answer. */
export type CniVersionInfo = z.infer<typeof CniVersionInfoSchema>;
/** A parsed plugin error report. */
export type CniErrorReport = z.infer<typeof CniErrorReportSchema>;
