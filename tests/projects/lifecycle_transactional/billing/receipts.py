from customerio import SendEmailRequest

from billing.clients import api


def send_receipt(user, order):
    request = SendEmailRequest(transactional_message_id="receipt", to=user.email, identifiers={"id": user.id},
                               message_data={"total": order.total})
    api.send_email(request)
