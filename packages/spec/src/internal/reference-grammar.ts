/**
 * The image reference grammar of Docker's `distribution/reference`, rebuilt as
 * JavaScript regular expressions. The pieces are composed exactly as the Go
 * package composes them, so a string Docker accepts is accepted here and the capture
 * groups split it the same way:
 *
 * ```text
 * reference        := name [ ":" tag ] [ "@" digest ]
 * name             := [domain '/'] remote-name
 * domain           := host [':' port-number]
 * host             := domain-name | IPv4address | \[ IPv6address \]
 * domain-name      := domain-component ['.' domain-component]*
 * domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 * remote-name      := path-component ['/' path-component]*
 * path-component   := alpha-numeric [separator alpha-numeric]*
 * alpha-numeric    := /[a-z0-9]+/
 * separator        := /[_.]|__|[-]+/
 * tag              := /[\w][\w.-]{0,127}/
 * digest           := algorithm ":" hex   (at least 32 hex characters)
 * identifier       := /[a-f0-9]{64}/
 * ```
 */

const optional = (...parts: string[]): string => `(?:${parts.join('')})?`;
const anyTimes = (...parts: string[]): string => `(?:${parts.join('')})*`;
const capture = (...parts: string[]): string => `(${parts.join('')})`;
const anchored = (...parts: string[]): string => `^${parts.join('')}$`;

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const identifier = '[a-f0-9]{64}';
// Bracketed IPv6 only; zone identifiers and IPv4-mapped forms are deliberately excluded.
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = domainNameComponent + anyTimes('\\.', domainNameComponent);
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = alphanumeric + anyTimes(separator, alphanumeric);
const remoteName = pathComponent + anyTimes('/', pathComponent);
const namePattern = optional(domainAndPort, '/') + remoteName;

/** The name that means "this host" even without a dot or a port. */
export const LOCALHOST = 'localhost';

/** A whole reference; groups: 1 name, 2 tag, 3 digest. */
export const referenceRegexp = new RegExp(
  anchored(capture(namePattern), optional(':', capture(tag)), optional('@', capture(digest))),
);

/** A name without tag or digest; groups: 1 domain (may be absent), 2 path. */
export const anchoredNameRegexp = new RegExp(anchored(optional(capture(domainAndPort), '/'), capture(remoteName)));

/** A tag on its own. */
export const anchoredTagRegexp = new RegExp(anchored(tag));

/** A digest on its own, in the reference grammar (any algorithm, ≥ 32 hex characters). */
export const anchoredDigestRegexp = new RegExp(anchored(digest));

/** A 64-hex image ID — never a repository name. */
export const anchoredIdentifierRegexp = new RegExp(anchored(identifier));

/** A domain with optional port, on its own. */
export const anchoredDomainRegexp = new RegExp(anchored(domainAndPort));

/** A repository path (remote name), on its own. */
export const anchoredPathRegexp = new RegExp(anchored(remoteName));
