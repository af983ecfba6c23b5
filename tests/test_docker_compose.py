"""docker-compose.yml for users (no Docker engine here to run it): parse it and check its parts."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"


def service() -> dict:
    doc = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return doc["services"]["neo4j"]


def test_image_is_neo4j_526_community():
    assert service()["image"] == "neo4j:5.26-community"


def test_ports_expose_http_and_bolt():
    ports = {str(p).split(":")[-1].strip('"') for p in service()["ports"]}
    assert {"7474", "7687"} <= ports


def test_auth_from_env_with_documented_default():
    auth = service()["environment"]["NEO4J_AUTH"]
    match = re.fullmatch(r"\$\{NEO4J_AUTH:-(\w+)/(\S+)\}", auth)
    assert match, auth
    user, password = match.groups()
    assert user == "neo4j" and len(password) >= 8  # Neo4j 5 rejects passwords shorter than 8
    text = COMPOSE.read_text(encoding="utf-8")
    assert f"NEO4J_PASSWORD={password}" in text  # the default is documented in the file itself


def test_memory_settings():
    env = service()["environment"]
    for key in ("NEO4J_server_memory_heap_max__size", "NEO4J_server_memory_heap_initial__size",
                "NEO4J_server_memory_pagecache_size"):
        assert re.search(r"\d+[GM]", env[key]), key


def test_data_and_logs_volumes():
    doc = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    targets = {v.split(":")[1]: v.split(":")[0] for v in service()["volumes"]}
    assert "/data" in targets and "/logs" in targets
    assert targets["/data"] in doc["volumes"] and targets["/logs"] in doc["volumes"]


def test_healthcheck():
    check = service()["healthcheck"]
    assert "7474" in " ".join(check["test"])
    assert check["retries"] >= 3 and check["interval"]
