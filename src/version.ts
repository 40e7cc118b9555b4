/** The product version segsim emulates, and segsim's own. */
export const ASYNCOS_VERSION = '15.5.1-055';
export const SEGSIM_VERSION = '0.1.0';
