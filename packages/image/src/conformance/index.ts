/** Conformance suites every implementation of a @berth/image seam runs. @packageDocumentation */
export {};
