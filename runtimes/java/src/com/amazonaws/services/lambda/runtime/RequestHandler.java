// aws-lambda-java-core's typed handler: the event is converted from JSON to I, the result to JSON.
package com.amazonaws.services.lambda.runtime;

public interface RequestHandler<I, O> {
    O handleRequest(I input, Context context);
}
