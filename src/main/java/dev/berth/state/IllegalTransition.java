package dev.berth.state;

/**
 * A write of a state that its machine's transition table refuses (a succeeded rollout going back to deploying, a
 * cancelled build succeeding). Thrown instead of writing, so a stored state only ever moves along an allowed edge;
 * reaching it is a bug in the caller (requests are refused with a 409 before they ask for such a move).
 */
public class IllegalTransition extends IllegalStateException {
    private final String machine;
    private final String from;
    private final String to;

    public IllegalTransition(String machine, Object from, Object to) {
        super(machine + " cannot move from " + from + " to " + to);
        this.machine = machine;
        this.from = String.valueOf(from);
        this.to = String.valueOf(to);
    }

    /** Throws unless {@code allowed}; returns {@code to}, for assignments. */
    public static <S> S check(String machine, S from, S to, boolean allowed) {
        if (!allowed) {
            throw new IllegalTransition(machine, from, to);
        }
        return to;
    }

    public String machine() {
        return machine;
    }

    public String from() {
        return from;
    }

    public String to() {
        return to;
    }
}
