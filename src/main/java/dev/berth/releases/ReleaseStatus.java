package dev.berth.releases;

/** The states of a release; a release is "live" while at least one region serves it as the app's main version. */
public final class ReleaseStatus {
    public static final String PENDING = "pending";
    public static final String DEPLOYING = "deploying";
    public static final String LIVE = "live";
    public static final String FAILED = "failed";
    public static final String ABORTED = "aborted";
    public static final String SUPERSEDED = "superseded";
    public static final String ROLLED_BACK = "rolled-back";

    private ReleaseStatus() {
    }
}
