package com.travelapp.infra.it.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives every integration test the one {@link ItEnvironment} of the run: one private cluster and
 * one throw-away stack shared by all test classes, closed (stack destroyed, cluster stopped, state
 * removed) when the whole run ends.
 */
public final class Integration implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ItEnvironment.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(ItEnvironment.class, key -> new ItEnvironment(), ItEnvironment.class);
    }
}
