package io.github.workerexporter.autoconfigure;

import java.beans.PropertyDescriptor;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;

/**
 * The effective {@code exporter.*} configuration as the {@code exporter} endpoint shows
 * it: one entry per property, named in kebab-case as in {@code application.yml}, values
 * as bound (defaults included, unset ones left out), and the value of every key that
 * contains {@code password}, {@code secret} or {@code token} replaced by {@value #MASK}.
 *
 * @author Worker Exporter
 */
final class ExporterEndpointConfigurationView {

    /**
     * What a secret's value is shown as.
     */
    static final String MASK = "******";

    private static final List<String> SECRET_WORDS = List.of("password", "secret", "token");

    private ExporterEndpointConfigurationView() {
    }

    /**
     * The configuration of the given properties.
     * @param properties the bound properties
     * @return the values by property name, sorted, secrets masked
     */
    static Map<String, Object> of(ExporterProperties properties) {
        Map<String, Object> view = new TreeMap<>();
        flatten("exporter", properties, view);
        return view;
    }

    private static void flatten(String prefix, Object group, Map<String, Object> view) {
        BeanWrapper wrapper = new BeanWrapperImpl(group);
        for (PropertyDescriptor descriptor : wrapper.getPropertyDescriptors()) {
            if (descriptor.getReadMethod() == null || "class".equals(descriptor.getName())) {
                continue;
            }
            String name = prefix + "." + DataObjectPropertyName.toDashedForm(descriptor.getName());
            Object value = wrapper.getPropertyValue(descriptor.getName());
            if (isGroup(value)) {
                flatten(name, value, view);
            }
            else if (value instanceof Map<?, ?> map) {
                map.forEach((key, entry) -> put(view, name + "." + key, entry));
            }
            else {
                put(view, name, value);
            }
        }
    }

    private static boolean isGroup(@Nullable Object value) {
        return value != null && value.getClass().getEnclosingClass() == ExporterProperties.class
                && !value.getClass().isEnum();
    }

    private static void put(Map<String, Object> view, String name, @Nullable Object value) {
        if (value != null) {
            view.put(name, isSecret(name) ? MASK : shown(value));
        }
    }

    /**
     * Whether a property holds a secret: its name contains {@code password},
     * {@code secret} or {@code token}, in any case.
     * @param name the property name
     * @return whether to mask its value
     */
    static boolean isSecret(String name) {
        String lowerCase = name.toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(lowerCase::contains);
    }

    private static Object shown(Object value) {
        if (value instanceof Enum<?> constant) {
            return constant.name().toLowerCase(Locale.ROOT);
        }
        if (value instanceof Duration || value instanceof CharSequence) {
            return value.toString();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ExporterEndpointConfigurationView::shown).toList();
        }
        return value;
    }

}
