// aws-lambda-java-core's static access to the logger, for code that has no Context at hand.
package com.amazonaws.services.lambda.runtime;

public final class LambdaRuntime {
    private static volatile LambdaLogger logger = new LambdaLogger() {
        public void log(String message) {
            System.out.print(message);
        }

        public void log(byte[] message) {
            System.out.write(message, 0, message.length);
        }
    };

    private LambdaRuntime() {
    }

    public static LambdaLogger getLogger() {
        return logger;
    }

    /** Set by lambkin's runtime at start; not part of the public contract. */
    public static void setLogger(LambdaLogger value) {
        logger = value;
    }
}
