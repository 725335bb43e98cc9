"""What an operator watches: health and readiness, Prometheus metrics, structured (JSON) logs with request ids."""
