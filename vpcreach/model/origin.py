"""Where a resource or a value came from, so findings and errors can point back to it."""
from __future__ import annotations

from dataclasses import dataclass


def json_pointer(*parts: object) -> str:
    """RFC 6901 pointer from path parts: json_pointer("Vpcs", 0) == "/Vpcs/0"."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "".join("/" + p for p in escaped)


@dataclass(frozen=True, order=True)
class Origin:
    """One of: a file and JSON pointer, a Terraform address (in a file), an API call, or implied.

    kind:
      "file"      describe-* JSON: `file` and `pointer` are set
      "terraform" plan or state: `file`, `address` (e.g. module.vpc.aws_subnet.private[0]) and `pointer`
      "api"       live read: `call` (e.g. ec2:DescribeVpcs), `region` and `account`
      "implied"   created by AWS on our behalf (a VPC's default NACL, main route table, local route);
                  `address` or `pointer` names the resource that implies it
    """

    kind: str
    file: str | None = None
    pointer: str | None = None
    address: str | None = None
    call: str | None = None
    region: str | None = None
    account: str | None = None
    note: str | None = None

    def child(self, *parts: object) -> "Origin":
        """The origin of a value nested under this one (e.g. a rule inside a security group)."""
        return Origin(
            self.kind, self.file, (self.pointer or "") + json_pointer(*parts), self.address,
            self.call, self.region, self.account, self.note,
        )

    def implied(self, note: str) -> "Origin":
        return Origin("implied", self.file, self.pointer, self.address, self.call, self.region, self.account, note)

    def __str__(self) -> str:
        if self.kind == "api":
            where = f"{self.call} ({self.account or '?'}/{self.region or '?'})"
            return where + (self.pointer or "")
        base = self.file or ""
        if self.address:  # a Terraform address says where; its JSON pointer would only add noise
            base = f"{base}: {self.address}" if base else self.address
        elif self.pointer:
            base = f"{base}#{self.pointer}"
        if self.kind == "implied" and self.note:
            base = f"{base} ({self.note})"
        return base
