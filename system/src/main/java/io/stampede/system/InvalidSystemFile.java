package io.stampede.system;

import java.util.List;

/** A system file that cannot be used: every problem, each starting with its key path. */
public final class InvalidSystemFile extends Exception {
    private final List<String> problems;

    public InvalidSystemFile(String source, List<String> problems) {
        super(source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + ":\n  "
                + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
