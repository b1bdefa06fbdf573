/**
 * Where the code comes from: an app's Git source and its credentials, the clone, SSH host keys and which hosts Berth
 * may connect to.
 */
package dev.berth.builds.source;
