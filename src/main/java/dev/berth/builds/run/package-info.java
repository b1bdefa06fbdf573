/**
 * What every step of a running build shares: configuration, failure reasons, the log, cancel and timeout, processes
 * and the workspace.
 */
package dev.berth.builds.run;
