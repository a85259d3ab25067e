"""The AI Party app: operator messages -> ShowIntent JSON, with a policy that alone decides."""
