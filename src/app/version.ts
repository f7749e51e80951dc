/** The package version, shown by `airlock --version` and in the server banner. */
export const VERSION = '0.1.0';
