/**
 * Dockerfile builds and where they run: buildah on the Berth host or a builder Job in Kubernetes, with its egress,
 * isolation, storage and reaper.
 */
package dev.berth.builds.executors;
