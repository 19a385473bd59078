class AuditLog:
    def track(self, user_id, name):
        print(user_id, name)


audit_log = AuditLog()
