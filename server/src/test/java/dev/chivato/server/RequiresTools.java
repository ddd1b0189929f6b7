package dev.chivato.server;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class that needs outside tools for all its tests: without them on a developer's machine the class is
 * skipped, each of its tests counted as skipped (not "0 tests run") and the reason said on the console; in CI
 * ({@code CI} set) it runs, and its own {@link ExternalTool#require} fails it loudly.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(RequiresTools.Condition.class)
public @interface RequiresTools {
    /** The programs, as found on the PATH. */
    String[] value();

    /** Skips the class when a tool is missing, outside CI. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            RequiresTools tools = context.getRequiredTestClass().getAnnotation(RequiresTools.class);
            if (tools == null || System.getenv("CI") != null) {
                return ConditionEvaluationResult.enabled("in CI a missing tool fails the test");
            }
            for (String tool : tools.value()) {
                if (!ExternalTool.installed(tool)) {
                    return ConditionEvaluationResult.disabled(tool + " is not installed; skipping");
                }
            }
            return ConditionEvaluationResult.enabled("every tool is installed");
        }
    }
}
