from django.db import models
from django.db.models import Q


class Fingerprint(models.Model):
    """A case's text as a MinHash signature (docs/subsystems/similar.md). Written pending
    (no `computed_at`) when the case opens; the drain fills it in and writes its bands."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="+")
    # Copied from the case, so lookups filter by customer and time without a join.
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()
    # minhash.NUM_PERM little-endian 32-bit values; null while pending, or when the text was
    # too short to compare.
    signature = models.BinaryField(null=True)
    scheme = models.PositiveSmallIntegerField(default=0)  # minhash.SCHEME that computed it
    computed_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="similar_fp_customer"),
            # What the drain claims, oldest first.
            models.Index(
                fields=["created_at"], name="similar_fp_pending", condition=Q(computed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"fingerprint of case {self.case_id}"


class FingerprintBand(models.Model):
    """One LSH band key of a fingerprint. Two cases with a key in common are candidates."""

    pk = models.CompositePrimaryKey("fingerprint", "band")
    fingerprint = models.ForeignKey(
        Fingerprint, on_delete=models.CASCADE, related_name="bands", db_index=False
    )
    band = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()
    # Copied from the fingerprint: the lookup reads this table's index alone.
    created_at = models.DateTimeField()
    customer_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "created_at", "customer_id", "fingerprint"], name="similar_band_key"),
        ]

    def __str__(self) -> str:
        return f"band {self.band} of case {self.fingerprint_id}"
