package dev.berth.regions;

import java.util.Locale;

/**
 * An image reference split as a registry client needs it: {@code host[:port]/repo/path:tag@sha256:...} gives the
 * host, the repository and the reference to ask for (the digest when there is one, else the tag, else
 * {@code latest}). Without a host part (no dot, colon or {@code localhost} in the first segment) the image is on
 * Docker Hub, as container runtimes resolve it.
 */
record ImageRef(String host, String repository, String reference, boolean pinned) {
    static ImageRef parse(String image) {
        if (image == null || image.isBlank() || image.contains("://")) {
            return null;
        }
        String name = image.trim();
        String digest = null;
        int at = name.indexOf('@');
        if (at >= 0) {
            digest = name.substring(at + 1);
            name = name.substring(0, at);
        }
        String tag = null;
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            tag = name.substring(colon + 1);
            name = name.substring(0, colon);
        }
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        String host = "docker.io";
        String repo = name;
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
            host = first.toLowerCase(Locale.ROOT);
            repo = name.substring(slash + 1);
        } else if (slash < 0) {
            repo = "library/" + name;
        }
        if (repo.isEmpty() || (digest != null && !digest.contains(":"))) {
            return null;
        }
        return new ImageRef(host, repo, digest != null ? digest : tag != null ? tag : "latest", digest != null);
    }

    @Override
    public String toString() {
        return host + "/" + repository + (pinned ? "@" : ":") + reference;
    }
}
