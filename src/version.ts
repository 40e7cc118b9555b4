/** The product segsim emulates (`version`), and segsim's own version (`segsim -V`). */
export const ASYNCOS_VERSION = '15.5.1-055';
export const ASYNCOS_BUILD_DATE = '2024-01-15';
export const ASYNCOS_MODEL = 'C100V';
export const SEGSIM_VERSION = '0.1.0';
