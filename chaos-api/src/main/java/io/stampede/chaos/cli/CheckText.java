package io.stampede.chaos.cli;

/** How check lines word an exception, and how they quote what the system sent (one line, bounded). */
final class CheckText {
    private CheckText() {}

    /** An exception's message, and its cause's when that says more. */
    static String reason(Throwable e) {
        String msg = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c != e && c.getMessage() != null && !msg.contains(c.getMessage())) {
            msg += " (" + c.getClass().getSimpleName() + ": " + c.getMessage() + ")";
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException || e instanceof java.net.http.HttpTimeoutException) {
            msg = "timed out (" + msg + ")";
        } else if (e instanceof java.net.ConnectException && (e.getMessage() == null || e.getMessage().isBlank())) {
            msg = "connection refused";
        }
        return msg;
    }

    /** An unexpected exception: its type too, since its message alone may not say what went wrong. */
    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + reason(e);
    }

    static String quote(String s, int max) {
        return "\"" + firstChars(s, max) + "\"";
    }

    /** At most {@code max} characters on one line. */
    static String firstChars(String s, int max) {
        String one = s.replace("\n", "\\n").replace("\r", "");
        return one.length() > max ? one.substring(0, max) + "…" : one;
    }
}
