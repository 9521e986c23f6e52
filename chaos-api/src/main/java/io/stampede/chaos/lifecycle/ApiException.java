package io.stampede.chaos.lifecycle;

import io.stampede.chaos.experiment.Problem;
import java.util.List;

/** A refusal the API turns into a JSON error with this status. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final List<Problem> details;

    public ApiException(int status, String code, String message, List<Problem> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = List.copyOf(details);
    }

    public ApiException(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<Problem> details() {
        return details;
    }
}
