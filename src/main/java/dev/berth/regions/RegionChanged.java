package dev.berth.regions;

/** A region was registered, changed or removed; observers (re)connect or disconnect it after the commit. */
public record RegionChanged(String name, boolean removed) {
}
