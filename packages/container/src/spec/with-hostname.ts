import type { SpecOption } from './spec-option.js';

/** Sets the container's hostname (and NIS domain name), in its own UTS namespace. */
export function withHostname(hostname: string, domainname?: string): SpecOption {
  return (spec) => {
    spec.hostname = hostname;
    if (domainname) spec.domainname = domainname;
    else delete spec.domainname;
  };
}
