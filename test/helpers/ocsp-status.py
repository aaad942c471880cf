# The status of a certificate as pyhanko-certvalidator (a validator we did not write) decides it
# from one OCSP response only: OCSP required for the end-entity certificate, nothing fetched.
# Usage: python ocsp-status.py root.pem issuing.pem cert.pem response.der
# Prints VALID, REVOKED <message> or INVALID <error>.
import asyncio
import sys

from asn1crypto import pem, x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import RevokedError
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


async def main():
    root, issuing, cert = (load(p) for p in sys.argv[1:4])
    with open(sys.argv[4], "rb") as f:
        response = f.read()
    policy = CertRevTrustPolicy(
        RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.OCSP_REQUIRED,
            # the issuing CA's status is the ARL's business, tested elsewhere
            intermediate_ca_cert_rule=RevocationCheckingRule.NO_CHECK,
        )
    )
    context = ValidationContext(trust_roots=[root], other_certs=[issuing], ocsps=[response], allow_fetching=False, revinfo_policy=policy)
    try:
        await CertificateValidator(cert, validation_context=context).async_validate_path()
        print("VALID")
    except RevokedError as e:
        print("REVOKED", e)
    except Exception as e:  # any other refusal is a verdict too
        print("INVALID", type(e).__name__, e)


asyncio.run(main())
