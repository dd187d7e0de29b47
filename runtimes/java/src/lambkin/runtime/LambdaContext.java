// The Context a handler receives: the environment's names and the invocation's headers.
package lambkin.runtime;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.Map;

final class LambdaContext implements Context {
    private final String requestId;
    private final String arn;
    private final long deadlineMs;
    private final LambdaLogger logger;
    private final CognitoIdentity identity;
    private final ClientContext clientContext;

    LambdaContext(Map<String, String> headers, LambdaLogger logger) {
        this.requestId = headers.get("lambda-runtime-aws-request-id");
        this.arn = headers.get("lambda-runtime-invoked-function-arn");
        long deadline;
        try {
            deadline = Long.parseLong(headers.getOrDefault("lambda-runtime-deadline-ms", "0"));
        } catch (NumberFormatException ex) {
            deadline = 0;
        }
        this.deadlineMs = deadline;
        this.logger = logger;
        this.identity = identity(parse(headers.get("lambda-runtime-cognito-identity")));
        this.clientContext = clientContext(parse(headers.get("lambda-runtime-client-context")));
    }

    public String getAwsRequestId() {
        return requestId;
    }

    public String getLogGroupName() {
        return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
    }

    public String getLogStreamName() {
        return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
    }

    public String getFunctionName() {
        return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
    }

    public String getFunctionVersion() {
        return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
    }

    public String getInvokedFunctionArn() {
        return arn;
    }

    public CognitoIdentity getIdentity() {
        return identity;
    }

    public ClientContext getClientContext() {
        return clientContext;
    }

    public int getRemainingTimeInMillis() {
        long left = deadlineMs - System.currentTimeMillis();
        return left > 0 ? (int) left : 0;
    }

    public int getMemoryLimitInMB() {
        try {
            return Integer.parseInt(System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
        } catch (NumberFormatException ex) {
            return 0;
        }
    }

    public LambdaLogger getLogger() {
        return logger;
    }

    private static Map<?, ?> parse(String header) {
        if (header == null || header.isEmpty()) return null;
        try {
            Object v = Json.parse(header);
            return v instanceof Map ? (Map<?, ?>) v : null;
        } catch (RuntimeException ex) {
            return null;
        }
    }

    private static String str(Map<?, ?> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v == null ? null : String.valueOf(v);
    }

    private static CognitoIdentity identity(Map<?, ?> m) {
        String id = str(m, "cognitoIdentityId");
        String pool = str(m, "cognitoIdentityPoolId");
        return new CognitoIdentity() {
            public String getIdentityId() {
                return id;
            }

            public String getIdentityPoolId() {
                return pool;
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static ClientContext clientContext(Map<?, ?> m) {
        if (m == null) return null;
        Map<?, ?> c = m.get("client") instanceof Map ? (Map<?, ?>) m.get("client") : null;
        Client client = new Client() {
            public String getInstallationId() {
                return str(c, "installation_id");
            }

            public String getAppTitle() {
                return str(c, "app_title");
            }

            public String getAppVersionName() {
                return str(c, "app_version_name");
            }

            public String getAppVersionCode() {
                return str(c, "app_version_code");
            }

            public String getAppPackageName() {
                return str(c, "app_package_name");
            }
        };
        Map<String, String> custom = m.get("custom") instanceof Map ? (Map<String, String>) m.get("custom") : null;
        Map<String, String> env = m.get("env") instanceof Map ? (Map<String, String>) m.get("env") : null;
        return new ClientContext() {
            public Client getClient() {
                return client;
            }

            public Map<String, String> getCustom() {
                return custom;
            }

            public Map<String, String> getEnvironment() {
                return env;
            }
        };
    }
}
