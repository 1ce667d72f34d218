package org.speechalign.synth;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code GET /openapi.yml}: this service's OpenAPI document, generated at compile time by Micronaut
 * OpenAPI from the controllers' annotations (settings in the module's {@code openapi.properties}).
 * Open, like {@code /health}.
 */
@Controller
@Hidden
final class OpenApiController {

    /** Where the annotation processor writes the document (a name of its own: services share JVMs). */
    static final String DOCUMENT = "META-INF/swagger/" + SynthService.NAME + ".yml";
    static final String YAML = "application/yaml";

    @Get(uri = "/openapi.yml", produces = YAML)
    HttpResponse<?> document() throws IOException {
        try (InputStream in = OpenApiController.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            if (in == null) return HttpResponse.notFound();
            return HttpResponse.ok(in.readAllBytes()).contentType(YAML);
        }
    }
}
