/** The CLI's own version (the workspace's release). */
export const CLI_VERSION = '0.1.0';
