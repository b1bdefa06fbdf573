package dev.berth.releases;

/** Image references as pages show them in little room. */
final class ImageRefs {
    private ImageRefs() {
    }

    /**
     * A digest reference ({@code registry/repo@sha256:0123...}) as {@code sha256:} and its first 12 hex digits;
     * otherwise the last path element with its tag ({@code web:2.0}).
     */
    static String shortRef(String image) {
        if (image == null) {
            return null;
        }
        int at = image.indexOf('@');
        if (at >= 0) {
            String digest = image.substring(at + 1);
            int colon = digest.indexOf(':');
            return colon >= 0 && digest.length() > colon + 13 ? digest.substring(0, colon + 13) : digest;
        }
        return image.substring(image.lastIndexOf('/') + 1);
    }
}
