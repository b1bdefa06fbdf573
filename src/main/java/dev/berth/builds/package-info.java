/**
 * Builds, the feature's front: the build entity and its states, the queue and runner that take a build from its
 * commit to a release, the API, the pages and the live log.
 */
package dev.berth.builds;
