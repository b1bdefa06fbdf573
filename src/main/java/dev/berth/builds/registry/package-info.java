/** The image registry Berth pushes to: its credential and whether an image pushed earlier is still there. */
package dev.berth.builds.registry;
